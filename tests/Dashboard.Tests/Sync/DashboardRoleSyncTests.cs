using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Sync.Jobs;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Hosting;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>
/// The sync as the template's dashboard task role, configured as the CDK stack configures it (its workflows and
/// cluster), in a sandbox that enforces IAM on a copy of the template without the states:ListStateMachines statement.
/// </summary>
public sealed class DashboardRoleSyncTests : IAsyncLifetime
{
    private SyncSandbox _env = null!;

    public async Task InitializeAsync() =>
        _env = await SyncSandbox.StartAsync(
            new ScaledTimeProvider(100),
            TemplateCopies.WithoutStatement(TemplateCopies.Synthesized, "DashboardServiceTaskDefTaskRoleDefaultPolicy", "states:ListStateMachines"),
            (machines, cluster) =>
            {
                var settings = SandboxClients.DashboardRole;
                foreach (var (arn, i) in machines.Values.Order(StringComparer.Ordinal).Select((a, i) => (a, i)))
                {
                    settings[$"Sync:StateMachineArns:{i}"] = arn;
                }

                settings["Sync:Clusters:0"] = cluster;
                return settings;
            });

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Without_ListStateMachines_the_sync_reports_AccessDenied_for_the_listing_and_still_indexes_every_configured_workflow()
    {
        var sfn = SandboxClients.Administrator(_env.Sandbox.Endpoint).StepFunctions;
        var started = new List<string>();
        foreach (var machine in new[] { "batch-job", "nightly-batch" })
        {
            started.Add((await sfn.StartExecutionAsync(new() { StateMachineArn = _env.Machines[machine], Name = "run-" + machine, Input = """{"commands":["echo","hi"],"environment":[]}""" })).ExecutionArn);
        }

        await _env.Sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));

        await _env.Sync.RunJobAsync<ExecutionIndexJob>();
        await _env.Sync.RunJobAsync<ExecutionHistoryJob>();
        await _env.Sync.RunJobAsync<StoppedTaskCaptureJob>();

        await using var db = await _env.Database.Contexts.CreateDbContextAsync();
        var listing = await db.SyncCursors.AsNoTracking().SingleAsync(c => c.Key == ExecutionIndexer.StateMachinesKey);
        Assert.Equal(1, listing.ConsecutiveFailures);
        Assert.Contains("could not list the state machines: AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/BatchOps-DashboardServiceTaskDefTaskRole", listing.LastError, StringComparison.Ordinal);
        Assert.Contains("is not authorized to perform: states:ListStateMachines on resource: *", listing.LastError, StringComparison.Ordinal);

        // Every configured workflow was still read, and what ran is in the read model with its history and ECS tasks.
        var cursors = await db.SyncCursors.AsNoTracking().Where(c => c.Key.StartsWith("executions:")).ToListAsync();
        Assert.Equal(_env.Machines.Values.Select(ExecutionIndexer.CursorKey).Order(StringComparer.Ordinal), cursors.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.All(cursors, c => Assert.Null(c.LastError));
        var executions = await db.Executions.AsNoTracking().ToListAsync();
        Assert.All(started, arn => Assert.Equal(ExecutionStatus.SUCCEEDED, executions.Single(e => e.Arn == arn).Status));
        Assert.All(executions, e => Assert.NotNull(e.HistoryFetchedAt));
        Assert.NotEmpty(await db.StoppedTasks.AsNoTracking().ToListAsync());
        var histories = await db.SyncCursors.AsNoTracking().SingleAsync(c => c.Key == HistorySynchronizer.CursorKey);
        Assert.Null(histories.LastError);
    }
}
