using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Sync.Jobs;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>
/// The sync as the template's dashboard task role, configured as the CDK stack configures it (its workflows and
/// cluster), in a sandbox that enforces IAM on a copy of the template without the states:ListStateMachines statement.
/// </summary>
public sealed class DashboardRoleSyncTests : IAsyncLifetime
{
    private SandboxServer _sandbox = null!;
    private ReadModelDatabase _database = null!;
    private SyncHarness _sync = null!;
    private Dictionary<string, string> _machines = null!;

    public async Task InitializeAsync()
    {
        var ecs = new EcsSandboxOptions();
        ecs.Images[SandboxImages.WorkerImage] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        _sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", new ScaledTimeProvider(100), ecsOptions: ecs, enforceIam: true, defaultCluster: false);
        var deployed = _sandbox.Deploy(TemplateCopies.WithoutStatement(TemplateCopies.Synthesized, "DashboardServiceTaskDefTaskRoleDefaultPolicy", "states:ListStateMachines"));
        _machines = deployed.Created.Values.Where(v => v.Contains(":stateMachine:", StringComparison.Ordinal)).ToDictionary(v => v[(v.LastIndexOf(':') + 1)..]);
        var cluster = deployed.Created.Values.Single(v => v.Contains(":cluster/", StringComparison.Ordinal));
        _database = await ReadModelDatabase.CreateAsync(ReadModelProvider.Sqlite);
        var settings = SandboxClients.DashboardRole;
        foreach (var (arn, i) in _machines.Values.Order(StringComparer.Ordinal).Select((a, i) => (a, i)))
        {
            settings[$"Sync:StateMachineArns:{i}"] = arn;
        }

        settings["Sync:Clusters:0"] = cluster;
        _sync = new SyncHarness(_sandbox.Endpoint, _database, settings);
    }

    public async Task DisposeAsync()
    {
        await _sync.DisposeAsync();
        await _database.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Without_ListStateMachines_the_sync_reports_AccessDenied_for_the_listing_and_still_indexes_every_configured_workflow()
    {
        var sfn = SandboxClients.Administrator(_sandbox.Endpoint).StepFunctions;
        var started = new List<string>();
        foreach (var machine in new[] { "batch-job", "nightly-batch" })
        {
            started.Add((await sfn.StartExecutionAsync(new() { StateMachineArn = _machines[machine], Name = "run-" + machine, Input = """{"commands":["echo","hi"],"environment":[]}""" })).ExecutionArn);
        }

        await _sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));

        await _sync.RunJobAsync<ExecutionIndexJob>();
        await _sync.RunJobAsync<ExecutionHistoryJob>();
        await _sync.RunJobAsync<StoppedTaskCaptureJob>();

        await using var db = await _database.Contexts.CreateDbContextAsync();
        var listing = await db.SyncCursors.AsNoTracking().SingleAsync(c => c.Key == ExecutionIndexer.StateMachinesKey);
        Assert.Equal(1, listing.ConsecutiveFailures);
        Assert.Contains("could not list the state machines: AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/BatchOps-DashboardServiceTaskDefTaskRole", listing.LastError, StringComparison.Ordinal);
        Assert.Contains("is not authorized to perform: states:ListStateMachines on resource: *", listing.LastError, StringComparison.Ordinal);

        // Every configured workflow was still read, and what ran is in the read model with its history and ECS tasks.
        var cursors = await db.SyncCursors.AsNoTracking().Where(c => c.Key.StartsWith("executions:")).ToListAsync();
        Assert.Equal(_machines.Values.Select(ExecutionIndexer.CursorKey).Order(StringComparer.Ordinal), cursors.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.All(cursors, c => Assert.Null(c.LastError));
        var executions = await db.Executions.AsNoTracking().ToListAsync();
        Assert.All(started, arn => Assert.Equal(ExecutionStatus.SUCCEEDED, executions.Single(e => e.Arn == arn).Status));
        Assert.All(executions, e => Assert.NotNull(e.HistoryFetchedAt));
        Assert.NotEmpty(await db.StoppedTasks.AsNoTracking().ToListAsync());
        var histories = await db.SyncCursors.AsNoTracking().SingleAsync(c => c.Key == HistorySynchronizer.CursorKey);
        Assert.Null(histories.LastError);
    }
}
