using System.Net;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync.Jobs;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>
/// Two real dashboard processes on one PostgreSQL read model, as the CDK stack runs them: Hangfire's storage there runs
/// each sync job on one instance at a time, and the shared key ring lets either read the other's cookies.
/// </summary>
public sealed class TwoInstancesTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Two_instances_never_run_the_same_sync_job_at_once_and_read_each_others_session_cookies()
    {
        await using var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
        var sfn = SandboxClients.Administrator(sandbox.Endpoint).StepFunctions;
        var machine = (await sfn.CreateStateMachineAsync(new CreateStateMachineRequest { Name = "export", Definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""", RoleArn = SandboxClients.AdministratorRoleArn })).StateMachineArn;
        await sfn.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = "first" });
        // Every listing of state machines takes 1.5 s, longer than the 1 s interval of the executions job: without the
        // lock, the next run would start while the last is still going.
        sandbox.Faults.Inject(new ApiFault("ListStateMachines", ApiFaultKind.Latency, Count: 1000, LatencyMilliseconds: 1500));
        await using var database = await ReadModelDatabase.CreateAsync(ReadModelProvider.PostgreSQL, postgres);
        var settings = AwsTestSettings.PointedAt(sandbox.Endpoint, database.Settings);
        settings["BatchOps:Mode"] = "Aws";
        foreach (var (key, value) in AwsTestSettings.SignInAt(sandbox))
        {
            settings[key] = value;
        }
        settings["Sync:ExecutionsInterval"] = "00:00:01";
        settings["Sync:HistoryInterval"] = "00:00:01";
        settings["Sync:StoppedTasksInterval"] = "00:00:02";
        settings["Sync:RedriveSweepInterval"] = "00:00:05";

        await using var one = await DashboardProcess.StartAsync(settings);
        await using var two = await DashboardProcess.StartAsync(settings);

        var runs = await Eventually.WaitUntilAsync(
            "executions-job runs on both instances (each at least twice)",
            () => RunsAsync(database, ExecutionIndexJob.JobId),
            r => r.Where(x => x.EndedAt is not null).GroupBy(x => x.Instance).Count(g => g.Count() >= 2) == 2,
            TimeSpan.FromSeconds(90),
            r => string.Join("; ", r.Select(x => $"{x.Instance} {x.StartedAt:HH:mm:ss.fff}-{x.EndedAt:HH:mm:ss.fff}")));

        foreach (var job in new[] { ExecutionIndexJob.JobId, ExecutionHistoryJob.JobId, StoppedTaskCaptureJob.JobId })
        {
            var finished = (await RunsAsync(database, job)).Where(r => r.EndedAt is not null).OrderBy(r => r.StartedAt).ToList();
            Assert.NotEmpty(finished);
            for (var i = 1; i < finished.Count; i++)
            {
                Assert.True(finished[i].StartedAt >= finished[i - 1].EndedAt, $"{job}: a run on {finished[i].Instance} started at {finished[i].StartedAt:O} before the run on {finished[i - 1].Instance} ended at {finished[i - 1].EndedAt:O}");
            }
        }

        Assert.True(runs.Where(r => r.EndedAt is not null).All(r => r.EndedAt - r.StartedAt >= TimeSpan.FromSeconds(1.4)), "the injected latency did not slow the runs down, so they could not have overlapped");
        await using (var db = await database.Contexts.CreateDbContextAsync())
        {
            Assert.True(await db.Executions.AnyAsync(e => e.Name == "first"));
        }

        // A session cookie one instance issued is accepted by the other (the key ring lives in the read model).
        var cookies = new CookieContainer();
        using (var first = SignInFlow.NewClient(one.BaseUrl, cookies))
        {
            using var signedIn = await SignInFlow.CompleteAsync(first, "operator", "/executions");
            Assert.Contains("Olu Operator", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Cookies belong to the host, not the port: the same jar carries the session to the second instance.
        using var second = SignInFlow.NewClient(two.BaseUrl, cookies, followRedirects: false);
        using var page = await second.GetAsync(new Uri("/executions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Olu Operator", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<List<SyncRunRecord>> RunsAsync(ReadModelDatabase database, string job)
    {
        await using var db = await database.Contexts.CreateDbContextAsync();
        return await db.SyncRuns.AsNoTracking().Where(r => r.Job == job).ToListAsync();
    }
}
