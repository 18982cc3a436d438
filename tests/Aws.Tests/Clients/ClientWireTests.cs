using Microsoft.AspNetCore.Http;
using System.Text.Json;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using BatchOps.Aws.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Aws.Tests.Clients;

/// <summary>What each protocol puts on the wire, seen by a real HTTP server on loopback.</summary>
public sealed class ClientWireTests : IAsyncLifetime
{
    private LoopbackAwsServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackAwsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Step_Functions_calls_use_awsJson1_0_with_the_target_header_and_a_SigV4_signature()
    {
        _server.EnqueueJson(200, """{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:run-1","startDate":1700000000.5}""");
        var clients = new TestClients(_server.Endpoint);

        var response = await clients.StepFunctions.StartExecutionAsync(new StartExecutionRequest
        {
            StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
            Name = "run-1",
            Input = """{"commands":["echo"]}""",
        });

        Assert.Equal("arn:aws:states:us-east-1:123456789012:execution:sm:run-1", response.ExecutionArn);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), response.StartDate);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("AWSStepFunctions.StartExecution", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.0", request.Headers["Content-Type"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/", request.Headers["Authorization"]);
        Assert.Contains("/us-east-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=", request.Headers["Authorization"]);
        Assert.Equal("session-token", request.Headers["X-Amz-Security-Token"]);
        Assert.Matches("^\\d{8}T\\d{6}Z$", request.Headers["X-Amz-Date"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("run-1", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("""{"commands":["echo"]}""", body.RootElement.GetProperty("input").GetString());
    }

    [Fact]
    public async Task A_response_carries_its_request_id_and_status_but_they_are_not_part_of_its_value()
    {
        const string Body = """{"redriveDate":1700000000}""";
        _server.Enqueue(async ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.Headers["x-amzn-RequestId"] = "5b0a7a3e-request-1";
            await ctx.Response.WriteAsync(Body);
        });
        _server.EnqueueJson(200, Body);
        var clients = new TestClients(_server.Endpoint);
        var request = new RedriveExecutionRequest { ExecutionArn = "arn:aws:states:us-east-1:123456789012:execution:sm:run-1" };

        var first = await clients.StepFunctions.RedriveExecutionAsync(request);
        var second = await clients.StepFunctions.RedriveExecutionAsync(request);

        Assert.Equal("5b0a7a3e-request-1", first.ResponseMetadata.RequestId);
        Assert.Equal(System.Net.HttpStatusCode.OK, first.HttpStatusCode);
        Assert.Equal("req-200", second.ResponseMetadata.RequestId);
        Assert.Equal(first, second);
        Assert.DoesNotContain("RequestId", JsonSerializer.Serialize(first), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ecs_calls_use_awsJson1_1_and_the_ecs_signing_name()
    {
        _server.EnqueueJson(200, """{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:1:task/c/abc","lastStatus":"STOPPED","stopCode":"EssentialContainerExited","containers":[{"name":"worker","exitCode":2}]}],"failures":[]}""");
        var clients = new TestClients(_server.Endpoint);

        var response = await clients.Ecs.DescribeTasksAsync(new DescribeTasksRequest { Cluster = "c", Tasks = ["abc"] });

        var task = Assert.Single(response.Tasks!);
        Assert.Equal("EssentialContainerExited", task.StopCode);
        Assert.Equal(2, Assert.Single(task.Containers!).ExitCode);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("AmazonEC2ContainerServiceV20141113.DescribeTasks", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Contains("/us-east-1/ecs/aws4_request", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Scheduler_calls_use_rest_paths_query_strings_and_an_autofilled_client_token()
    {
        var clients = new TestClients(_server.Endpoint);
        _server.EnqueueJson(200, """{"ScheduleArn":"arn:aws:scheduler:us-east-1:1:schedule/ops/nightly export"}""");
        _server.EnqueueJson(200, """{"Name":"nightly export","GroupName":"ops","ScheduleExpression":"cron(0 5 * * ? *)","ScheduleExpressionTimezone":"Asia/Tokyo","State":"ENABLED"}""");
        _server.EnqueueJson(200, """{"Schedules":[],"NextToken":null}""");
        _server.EnqueueJson(200, "{}");

        await clients.Scheduler.CreateScheduleAsync(new CreateScheduleRequest
        {
            Name = "nightly export",
            GroupName = "ops",
            ScheduleExpression = "cron(0 5 * * ? *)",
            ScheduleExpressionTimezone = "Asia/Tokyo",
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF },
            Target = new Target { Arn = "arn:aws:states:us-east-1:1:stateMachine:sm", RoleArn = "arn:aws:iam::1:role/r", Input = "{}" },
        });
        var schedule = await clients.Scheduler.GetScheduleAsync(new GetScheduleRequest { Name = "nightly export", GroupName = "ops" });
        await clients.Scheduler.ListSchedulesAsync(new ListSchedulesRequest { GroupName = "ops", MaxResults = 50, State = ScheduleState.ENABLED });
        await clients.Scheduler.DeleteScheduleAsync(new DeleteScheduleRequest { Name = "nightly export", GroupName = "ops" });

        Assert.Equal("Asia/Tokyo", schedule.ScheduleExpressionTimezone);
        var requests = _server.Requests.ToArray();
        Assert.Equal(("POST", "/schedules/nightly%20export", ""), (requests[0].Method, requests[0].Path, requests[0].Query));
        Assert.Equal("application/json", requests[0].Headers["Content-Type"]);
        using (var body = JsonDocument.Parse(requests[0].Body))
        {
            Assert.False(body.RootElement.TryGetProperty("Name", out _), "the URI label is not repeated in the body");
            Assert.True(Guid.TryParse(body.RootElement.GetProperty("ClientToken").GetString(), out _), "ClientToken is filled in");
            Assert.Equal("OFF", body.RootElement.GetProperty("FlexibleTimeWindow").GetProperty("Mode").GetString());
        }

        Assert.Equal(("GET", "/schedules/nightly%20export", "?groupName=ops"), (requests[1].Method, requests[1].Path, requests[1].Query));
        Assert.Equal("", requests[1].Body);
        Assert.Equal(("GET", "/schedules", "?ScheduleGroup=ops&MaxResults=50&State=ENABLED"), (requests[2].Method, requests[2].Path, requests[2].Query));
        Assert.Equal("DELETE", requests[3].Method);
        Assert.Matches("^\\?clientToken=[0-9a-f-]{36}&groupName=ops$", requests[3].Query);
        Assert.Contains("/us-east-1/scheduler/aws4_request", requests[3].Headers["Authorization"]);
    }

    [Fact]
    public async Task A_missing_path_label_is_refused_before_anything_is_sent()
    {
        var clients = new TestClients(_server.Endpoint);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => clients.Scheduler.GetScheduleAsync(new GetScheduleRequest { Name = "" }));
        Assert.Contains("Name is required", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Paginators_follow_next_tokens_until_the_last_page()
    {
        var clients = new TestClients(_server.Endpoint);
        _server.EnqueueJson(200, """{"executions":[{"executionArn":"e1","stateMachineArn":"sm","name":"a","status":"FAILED","startDate":1}],"nextToken":"t1"}""");
        _server.EnqueueJson(200, """{"executions":[{"executionArn":"e2","stateMachineArn":"sm","name":"b","status":"RUNNING","startDate":2}],"nextToken":"t2"}""");
        _server.EnqueueJson(200, """{"executions":[{"executionArn":"e3","stateMachineArn":"sm","name":"c","status":"SUCCEEDED","startDate":3}]}""");

        var arns = new List<string>();
        await foreach (var execution in clients.StepFunctions.ListExecutionsItemsAsync(new ListExecutionsRequest { StateMachineArn = "sm", MaxResults = 1 }))
        {
            arns.Add(execution.ExecutionArn);
        }

        Assert.Equal(["e1", "e2", "e3"], arns);
        var tokens = _server.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.TryGetProperty("nextToken", out var t) ? t.GetString() : null).ToList();
        Assert.Equal([null, "t1", "t2"], tokens);
    }
}
