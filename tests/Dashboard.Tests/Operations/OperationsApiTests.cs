using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>The HTTP API of a real dashboard process, on a sandbox the test controls.</summary>
public sealed class OperationsApiTests : IAsyncLifetime
{
    private AttachedDashboard _env = null!;

    public async Task InitializeAsync() => _env = await AttachedDashboard.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Twenty_concurrent_redrive_requests_redrive_once_and_the_api_is_described_by_openapi()
    {
        var machine = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var failed = Assert.Single(await _env.FailedExecutionsAsync(machine, "import", 1));
        using var client = await _env.ClientAsync("Operator");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => AttachedDashboard.PostAsync(client, AttachedDashboard.Api(failed, "redrive"), new { })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var operations = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonObject>()));
        Assert.Single(operations.Select(o => o!["id"]!.GetValue<long>()).Distinct());
        Assert.All(operations, o => Assert.Equal("Succeeded", o!["status"]!.GetValue<string>()));
        Assert.Equal(1, (await _env.Sfn.DescribeExecutionAsync(new() { ExecutionArn = failed })).RedriveCount);

        var openApi = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        Assert.Equal("BatchOps API", openApi["info"]!["title"]!.GetValue<string>());
        foreach (var path in new[] { "/api/executions", "/api/executions/{executionArn}/redrive", "/api/executions/{executionArn}/rerun", "/api/executions/{executionArn}/stop", "/api/executions/{executionArn}/callback", "/api/bulk", "/api/operations/{id}" })
        {
            Assert.NotNull(openApi["paths"]![path]);
        }
    }

    [Fact]
    public async Task A_viewer_is_refused_every_action_with_403_and_the_ledger_records_only_refusals()
    {
        var machine = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var failed = Assert.Single(await _env.FailedExecutionsAsync(machine, "import", 1));
        using var viewer = await _env.ClientAsync("Viewer");

        HttpResponseMessage[] responses =
        [
            await AttachedDashboard.PostAsync(viewer, "/api/executions", new { workflow = machine, input = new { } }),
            await AttachedDashboard.PostAsync(viewer, AttachedDashboard.Api(failed, "redrive"), new { }),
            await AttachedDashboard.PostAsync(viewer, AttachedDashboard.Api(failed, "rerun"), new { }),
            await AttachedDashboard.PostAsync(viewer, AttachedDashboard.Api(failed, "stop"), new { error = "x" }),
            await AttachedDashboard.PostAsync(viewer, AttachedDashboard.Api(failed, "callback"), new { outcome = "success", output = new { } }),
            await AttachedDashboard.PostAsync(viewer, "/api/bulk", new { action = "redrive", executionArns = new[] { failed } }),
        ];

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        var problem = await responses[1].Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Vera Viewer may not redrive executions: that needs the Operator role.", problem!["detail"]!.GetValue<string>());
        var audit = await viewer.GetFromJsonAsync<JsonObject>(new Uri("/api/operations", UriKind.Relative));
        var rows = audit!["rows"]!.AsArray();
        Assert.Equal(responses.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal("Refused", r!["status"]!.GetValue<string>()));
        Assert.Equal(0, (await _env.Sfn.DescribeExecutionAsync(new() { ExecutionArn = failed })).RedriveCount ?? 0);
        Assert.Single((await _env.Sfn.ListExecutionsAsync(new() { StateMachineArn = machine })).Executions);
    }

    [Fact]
    public async Task A_viewer_is_refused_every_schedule_change_through_the_api()
    {
        using var viewer = await _env.ClientAsync("Viewer");
        var schedule = new { schedule = new { groupName = "batchops-operator", name = "x", scheduleExpression = "rate(5 minutes)", flexibleTimeWindow = new { mode = "OFF" }, target = new { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:flaky", roleArn = "arn:aws:iam::123456789012:role/r" } } };

        HttpResponseMessage[] responses =
        [
            await AttachedDashboard.PostAsync(viewer, "/api/schedules", schedule),
            await viewer.PutAsJsonAsync(new Uri("/api/schedules/batchops-operator/x", UriKind.Relative), schedule),
            await AttachedDashboard.PostAsync(viewer, "/api/schedules/batchops-operator/x/enable", new { }),
            await AttachedDashboard.PostAsync(viewer, "/api/schedules/batchops-operator/x/disable", new { }),
            await AttachedDashboard.PostAsync(viewer, "/api/schedules/batchops-operator/x/run", new { }),
            await viewer.DeleteAsync(new Uri("/api/schedules/batchops-operator/x", UriKind.Relative)),
            await AttachedDashboard.PostAsync(viewer, "/api/schedule-groups/batchops-operator/pause", new { }),
        ];

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        var rows = (await viewer.GetFromJsonAsync<JsonObject>(new Uri("/api/operations", UriKind.Relative)))!["rows"]!.AsArray();
        Assert.Equal(responses.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal("Refused", r!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Only_an_admin_may_open_the_background_jobs_dashboard()
    {
        using var viewer = await _env.ClientAsync("Viewer");
        using var @operator = await _env.ClientAsync("Operator");
        using var admin = await _env.ClientAsync("Admin");

        using var viewerJobs = await viewer.GetAsync(new Uri("/jobs", UriKind.Relative));
        using var operatorJobs = await @operator.GetAsync(new Uri("/jobs", UriKind.Relative));
        using var adminJobs = await admin.GetAsync(new Uri("/jobs", UriKind.Relative));

        // Hangfire's dashboard can delete and trigger jobs: the server refuses it, whatever the menu shows.
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK), (viewerJobs.StatusCode, operatorJobs.StatusCode, adminJobs.StatusCode));
        Assert.Contains("Hangfire", await adminJobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Your roles do not allow this page.", await viewerJobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_that_say_what_is_wrong_and_change_nothing()
    {
        var machine = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var succeeded = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = "ok-1", Input = "{}" })).ExecutionArn;
        await _env.Sandbox.StepFunctions.WhenFinishedAsync(succeeded, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        using var client = await _env.ClientAsync();
        using var anonymous = _env.Dashboard.CreateClient();

        using var malformed = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/executions", UriKind.Relative)) { Content = new StringContent("""{"workflow": "flaky", "input": {""", System.Text.Encoding.UTF8, "application/json") };
        var malformedResponse = await client.SendAsync(malformed);
        var form = await client.PostAsync(new Uri(AttachedDashboard.Api(succeeded, "redrive"), UriKind.Relative), new FormUrlEncodedContent([]));
        var notRedrivable = await AttachedDashboard.PostAsync(client, AttachedDashboard.Api(succeeded, "redrive"), new { });
        var unknown = await AttachedDashboard.PostAsync(client, AttachedDashboard.Api("arn:aws:states:us-east-1:000000000000:execution:flaky:nope", "redrive"), new { });
        var badName = await AttachedDashboard.PostAsync(client, "/api/executions", new { workflow = machine, input = new { }, name = "a/b" });
        var noSession = await AttachedDashboard.PostAsync(anonymous, AttachedDashboard.Api(succeeded, "redrive"), new { });

        Assert.Equal(HttpStatusCode.BadRequest, malformedResponse.StatusCode);
        Assert.Contains("not valid JSON", (await malformedResponse.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["body"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, notRedrivable.StatusCode);
        Assert.Contains("cannot be redriven", (await notRedrivable.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("may not contain '/'", (await badName.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, noSession.StatusCode);
        var audit = await client.GetFromJsonAsync<JsonObject>(new Uri("/api/operations", UriKind.Relative));
        Assert.Empty(audit!["rows"]!.AsArray());
        Assert.Single((await _env.Sfn.ListExecutionsAsync(new() { StateMachineArn = machine })).Executions);
    }
}
