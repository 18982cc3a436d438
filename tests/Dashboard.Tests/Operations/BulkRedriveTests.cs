using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>A bulk redrive through the API of a real dashboard process that is killed and started again midway.</summary>
public sealed class BulkRedriveTests
{
    private const double Rate = 20;

    [Fact]
    public async Task Bulk_redrive_of_200_failed_executions_keeps_its_rate_survives_a_restart_and_redrives_each_once()
    {
        await using var env = await AttachedDashboard.StartAsync(new Dictionary<string, string?> { ["Operations:BulkRatePerSecond"] = "20" });
        var machine = await env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var failed = await env.FailedExecutionsAsync(machine, "nightly-import", 200);
        var client = await env.ClientAsync("Operator");
        var request = new { action = "redrive", filter = "workflow=flaky&status=REDRIVABLE", ratePerSecond = Rate };
        await Eventually.WaitUntilAsync(
            "the read model to know the 200 failed executions as redrivable",
            async () => (await (await AttachedDashboard.PostAsync(client, "/api/bulk/preview", request)).Content.ReadFromJsonAsync<JsonObject>())!,
            preview => preview["eligibleCount"]?.GetValue<int>() == 200,
            TimeSpan.FromSeconds(90),
            preview => preview.ToJsonString());

        var started = await AttachedDashboard.PostAsync(client, "/api/bulk", request);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        // Kill the dashboard (no chance to clean up) once some are redriven, and start it again on the same read model.
        var beforeKill = await Eventually.WaitUntilAsync($"bulk operation {id} to redrive 50 executions", () => Succeeded(client, id), n => n >= 50, TimeSpan.FromSeconds(60), n => $"{n} succeeded");
        env.Dashboard.Process.Signal(9);
        await env.Dashboard.Process.WaitAsync(TimeSpan.FromSeconds(30));
        await env.StartDashboardAsync();
        client.Dispose();
        client = await env.ClientAsync("Operator");

        var detail = await Eventually.WaitUntilAsync(
            $"bulk operation {id} to finish after the restart",
            async () => (await client.GetFromJsonAsync<JsonObject>(new Uri($"/api/operations/{id}", UriKind.Relative)))!,
            d => d["operation"]!["status"]!.GetValue<string>() != "Pending",
            TimeSpan.FromSeconds(120),
            d => d["itemCounts"]!.ToJsonString());

        Assert.True(beforeKill < 200, "the dashboard was killed midway");
        Assert.Equal("Succeeded", detail["operation"]!["status"]!.GetValue<string>());
        var items = detail["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(200, items.Count);
        Assert.All(items, i => Assert.Equal("Succeeded", i["status"]!.GetValue<string>()));
        Assert.Equal(failed.Order(StringComparer.Ordinal), items.Select(i => i["targetArn"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        // Each execution was redriven exactly once, and succeeded.
        foreach (var arn in failed)
        {
            var described = await env.Sfn.DescribeExecutionAsync(new() { ExecutionArn = arn });
            Assert.True(described.RedriveCount == 1, $"{arn} redriven {described.RedriveCount} times");
        }

        // The pace held, across the restart too: no two sends closer than 1/rate.
        var sent = items.Select(i => i["startedAt"]!.GetValue<DateTimeOffset>()).Order().ToList();
        var gaps = sent.Zip(sent.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Min() >= TimeSpan.FromSeconds(1 / Rate), $"closest sends {gaps.Min().TotalMilliseconds} ms apart");
        Assert.True(sent[^1] - sent[0] >= TimeSpan.FromSeconds(199 / Rate));
        client.Dispose();
    }

    private static async Task<int> Succeeded(HttpClient client, long id)
    {
        var detail = await client.GetFromJsonAsync<JsonObject>(new Uri($"/api/operations/{id}", UriKind.Relative));
        return detail!["itemCounts"]!["Succeeded"]?.GetValue<int>() ?? 0;
    }
}
