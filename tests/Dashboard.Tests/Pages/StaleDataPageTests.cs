using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Pages;

/// <summary>The dashboard in AWS mode against a sandbox the test owns, so the test can take "AWS" away.</summary>
public sealed class StaleDataPageTests
{
    [Fact]
    public async Task While_aws_is_unreachable_the_pages_show_the_last_synced_data_with_a_stale_notice()
    {
        var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
        try
        {
            var sfn = SandboxClients.Administrator(sandbox.Endpoint).StepFunctions;
            var machine = (await sfn.CreateStateMachineAsync(new CreateStateMachineRequest { Name = "export", Definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""", RoleArn = SandboxClients.AdministratorRoleArn })).StateMachineArn;
            await sfn.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = "export-before-outage" });
            await using var dashboard = await DashboardProcess.StartAsync(AwsTestSettings.PointedAt(sandbox.Endpoint, AwsTestSettings.SignInAt(sandbox).Concat(new Dictionary<string, string?>
            {
                ["BatchOps:Mode"] = "Aws",
                ["Aws:MaxAttempts"] = "2",
                ["ReadModel:SqlitePath"] = Path.Combine(Path.GetTempPath(), "batchops-tests", $"stale-{Guid.NewGuid():N}.db"),
                ["Sync:ExecutionsInterval"] = "00:00:01",
                ["Sync:HistoryInterval"] = "00:00:01",
                ["Sync:StoppedTasksInterval"] = "00:00:01",
            })));
            using var client = await dashboard.SignInAsync("viewer");
            var before = await PollAsync(client, html => html.Contains("data-execution=\"export-before-outage\"", StringComparison.Ordinal));
            Assert.False(before.Contains("data-testid=\"stale-notice\"", StringComparison.Ordinal), "Stale before the outage: " + StaleNotice(before) + "\nDashboard output:\n" + string.Join('\n', dashboard.Process.StandardOutput.TakeLast(40)) + dashboard.Process.StandardError);
            Assert.Contains("AWS mode", before, StringComparison.Ordinal);
            // In AWS mode the API answers a signed-in session as in sandbox mode.
            using var api = await client.GetAsync(new Uri("/api/operations", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.OK, api.StatusCode);

            await sandbox.DisposeAsync();

            var during = await PollAsync(client, html => html.Contains("data-testid=\"stale-notice\"", StringComparison.Ordinal));
            Assert.Contains("Data may be stale.", during, StringComparison.Ordinal);
            Assert.Contains("Showing data from the last good sync at", during, StringComparison.Ordinal);
            Assert.Contains("data-execution=\"export-before-outage\"", during, StringComparison.Ordinal);
        }
        finally
        {
            await sandbox.DisposeAsync();
        }
    }

    private static string StaleNotice(string html) =>
        html.IndexOf("data-testid=\"stale-notice\"", StringComparison.Ordinal) is var at and >= 0 ? System.Text.RegularExpressions.Regex.Replace(html.Substring(at, Math.Min(6000, html.Length - at)), "<[^>]+>", " ") : "";

    private static Task<string> PollAsync(HttpClient client, Func<string, bool> until) =>
        Eventually.WaitUntilAsync("the executions page to show the expected state", () => client.GetStringAsync(new Uri("/executions", UriKind.Relative)), until);
}
