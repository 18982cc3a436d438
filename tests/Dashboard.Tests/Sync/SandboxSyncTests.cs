using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Sync.Jobs;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>The sync jobs against the sandbox over HTTP, writing a real SQLite read model.</summary>
public sealed class SandboxSyncTests : IAsyncLifetime
{
    private const string PassDefinition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""";
    private const string FailDefinition = """{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Export.Failed","Cause":"no rows"}}}""";

    private SyncSandbox _env = null!;

    public async Task InitializeAsync() => _env = await SyncSandbox.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Syncing_1000_new_executions_uses_the_list_pages_that_hold_them_plus_one()
    {
        var machine = await _env.CreateStateMachineAsync("quick", PassDefinition);
        await StartAsync(machine, 1000, "first");
        await _env.Sync.Indexer.RunAsync(CancellationToken.None);
        await StartAsync(machine, 1000, "second");
        _env.Sync.StepFunctions.Reset();

        var pass = await _env.Sync.Indexer.RunAsync(CancellationToken.None);

        var pagesHoldingThem = (int)Math.Ceiling(1000 / 100.0);
        var calls = _env.Sync.StepFunctions.ListExecutionsRequests.Count(r => r.StateMachineArn == machine);
        Assert.InRange(calls, pagesHoldingThem, pagesHoldingThem + 1);
        Assert.Equal(calls, pass.ListExecutionsCalls);
        Assert.Equal(1000, pass.NewExecutions);
        Assert.Equal(2000, (await _env.Sync.ExecutionsAsync()).Count(e => e.StateMachineArn == machine));
    }

    [Fact]
    public async Task Throttling_and_server_errors_slow_the_sync_but_it_completes()
    {
        var quick = await _env.CreateStateMachineAsync("quick", PassDefinition);
        var failing = await _env.CreateStateMachineAsync("export", FailDefinition);
        await StartAsync(quick, 30, "ok");
        await StartAsync(failing, 5, "bad");
        // Fewer faults per operation than the client's attempts (4): every call gets through in the end.
        foreach (var operation in new[] { "ListStateMachines", "ListExecutions", "DescribeExecution", "GetExecutionHistory" })
        {
            _env.Sandbox.Faults.Inject(new ApiFault(operation, ApiFaultKind.Throttle, 2));
            _env.Sandbox.Faults.Inject(new ApiFault(operation, ApiFaultKind.ServerError, 1));
        }

        await _env.Sync.RunJobAsync<ExecutionIndexJob>();
        await _env.Sync.RunJobAsync<ExecutionHistoryJob>();
        await _env.Sync.RunJobAsync<ExecutionHistoryJob>();

        var rows = await _env.Sync.ExecutionsAsync();
        Assert.Equal(35, rows.Count);
        Assert.All(rows, r => Assert.False(r.NeedsHistory));
        Assert.Equal(5, rows.Count(r => r is { Status: "FAILED", Error: "Export.Failed", Cause: "no rows" }));
        Assert.False((await _env.Sync.Status.GetHealthAsync(CancellationToken.None)).IsStale);
        Assert.True(_env.Sync.StepFunctions.Calls("GetExecutionHistory") >= 35);
    }

    [Fact]
    public async Task A_state_machine_the_role_may_not_read_does_not_stop_the_others_from_being_indexed_and_is_read_again_after_its_backoff()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sync = new SyncHarness(_env.Sandbox.Endpoint, _env.Database, time: clock);
        var first = await _env.CreateStateMachineAsync("a-denied", PassDefinition);
        var second = await _env.CreateStateMachineAsync("b-allowed", PassDefinition);
        await StartAsync(first, 3, "one");
        await StartAsync(second, 4, "two");
        // The first ListExecutions of the pass (a-denied's, in name order) is refused as IAM refuses it.
        _env.Sandbox.Faults.Inject(new ApiFault("ListExecutions", ApiFaultKind.AccessDenied, 1));

        await sync.RunJobAsync<ExecutionIndexJob>();

        var rows = await sync.ExecutionsAsync();
        Assert.Equal(4, rows.Count(r => r.StateMachineArn == second));
        Assert.Equal(0, rows.Count(r => r.StateMachineArn == first));
        var health = await sync.Status.GetHealthAsync(CancellationToken.None);
        Assert.True(health.IsStale);
        Assert.Contains("AccessDeniedException", health.LastError, StringComparison.Ordinal);
        var sources = (await sync.Get<Features.SyncHealth.SyncHealthQueries>().GetAsync(CancellationToken.None)).Sources;
        Assert.Contains("Indexed 1 of 2 state machines; could not list the executions of a-denied: AccessDeniedException", sources.Single(s => s.Key == ExecutionIndexer.StateMachinesKey).LastError, StringComparison.Ordinal);
        var cursor = sources.Single(s => s.Key == ExecutionIndexer.CursorKey(first));
        Assert.Equal(1, cursor.ConsecutiveFailures);
        Assert.Contains("AccessDeniedException", cursor.LastError, StringComparison.Ordinal);

        // Within its backoff (the 15 s interval) it is left alone; after it, read again.
        sync.StepFunctions.Reset();
        await sync.RunJobAsync<ExecutionIndexJob>();
        Assert.DoesNotContain(sync.StepFunctions.ListExecutionsRequests, r => r.StateMachineArn == first);
        clock.Advance(TimeSpan.FromSeconds(15));
        await sync.RunJobAsync<ExecutionIndexJob>();

        Assert.Equal(7, (await sync.ExecutionsAsync()).Count);
        Assert.False((await sync.Status.GetHealthAsync(CancellationToken.None)).IsStale);
    }

    [Fact]
    public async Task A_deleted_state_machine_stops_being_read_and_its_old_cursor_does_not_leave_the_data_stale()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sync = new SyncHarness(_env.Sandbox.Endpoint, _env.Database, time: clock);
        var kept = await _env.CreateStateMachineAsync("a-kept", PassDefinition);
        var deleted = await _env.CreateStateMachineAsync("b-deleted", PassDefinition);
        await StartAsync(deleted, 2, "old");
        await sync.RunJobAsync<ExecutionIndexJob>();
        Assert.Equal(2, (await sync.ExecutionsAsync()).Count(r => r.StateMachineArn == deleted));

        await _env.StepFunctions.DeleteStateMachineAsync(new DeleteStateMachineRequest { StateMachineArn = deleted });
        // A row still shown as running whose execution AWS no longer knows (deleted with its state machine, or expired).
        var ghost = deleted.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":ghost";
        await using (var seed = await _env.Database.Contexts.CreateDbContextAsync())
        {
            seed.Executions.Add(new ExecutionRecord { Arn = ghost, StateMachineArn = deleted, StateMachineName = "b-deleted", Name = "ghost", Status = ExecutionStatus.RUNNING, StartDate = clock.GetUtcNow() });
            await seed.SaveChangesAsync();
        }

        // Long past Sync:StaleAfter: only sources still read count.
        clock.Advance(TimeSpan.FromMinutes(10));
        await sync.RunJobAsync<ExecutionIndexJob>();
        await sync.RunJobAsync<ExecutionHistoryJob>();
        var closed = (await sync.ExecutionsAsync()).Single(e => e.Arn == ghost);
        Assert.Equal((HistorySynchronizer.ExpiredStatus, false), (closed.Status, closed.NeedsHistory));

        await using var db = await _env.Database.Contexts.CreateDbContextAsync();
        Assert.Contains(ExecutionIndexer.CursorKey(kept), await db.SyncCursors.Select(c => c.Key).ToListAsync());
        Assert.DoesNotContain(ExecutionIndexer.CursorKey(deleted), await db.SyncCursors.Select(c => c.Key).ToListAsync());
        Assert.False((await sync.Status.GetHealthAsync(CancellationToken.None)).IsStale);
        // What was indexed stays, as history (with the closed row).
        Assert.Equal(3, (await sync.ExecutionsAsync()).Count(r => r.StateMachineArn == deleted));
    }

    [Fact]
    public async Task A_history_AWS_refuses_is_retried_after_a_backoff_then_poisoned_and_never_holds_up_the_others()
    {
        var quick = await _env.CreateStateMachineAsync("quick", PassDefinition);
        await StartAsync(quick, 30, "ok");
        var poison = (await _env.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = quick, Name = "poison" })).ExecutionArn;
        await _env.Sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
        // The dashboard's role may read everything but this one execution's history (a KMS key it may not use, say).
        var role = "arn:aws:iam::000000000000:role/reader";
        _env.Sandbox.Iam.PutRolePolicy(role, Sandbox.Iam.PolicyDocument.Parse("reader", System.Text.Json.Nodes.JsonNode.Parse(
            $$"""{"Statement":[{"Effect":"Allow","Action":"states:*","Resource":"*"},{"Effect":"Deny","Action":"states:GetExecutionHistory","Resource":"{{poison}}"}]}""")));
        _env.Sandbox.Credentials.Bind(SandboxCredentials.DashboardAccessKeyId, Sandbox.Iam.SandboxPrincipal.OfRole(role, "dashboard"));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = SandboxClients.DashboardRole;
        settings["Sync:HistoryBatch"] = "10";
        settings["Sync:PoisonAfter"] = "3";
        await using var sync = new SyncHarness(_env.Sandbox.Endpoint, _env.Database, settings, clock);
        await sync.RunJobAsync<ExecutionIndexJob>();
        async Task<ExecutionRecord> PoisonAsync() => (await sync.ExecutionsAsync()).Single(e => e.Arn == poison);
        async Task<int> WaitingAsync() => (await sync.ExecutionsAsync()).Count(e => e.NeedsHistory && e.Arn != poison);

        // Newest first: the poisoned one is in the first batch, fails, and waits out its backoff (10 s) while the
        // others are fetched ten a pass.
        await Assert.ThrowsAsync<SyncPartlyFailedException>(() => sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Equal((1, 21), ((await PoisonAsync()).HistoryFailures, await WaitingAsync()));
        Assert.InRange(((await PoisonAsync()).HistoryRetryAt!.Value - clock.GetUtcNow()).TotalSeconds, 9.999, 10.001);
        Assert.Equal(10, await sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Equal(10, await sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Equal(1, await sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Equal(0, await WaitingAsync());
        Assert.Equal(1, (await PoisonAsync()).HistoryFailures);

        // Past each backoff (10 s, then 20 s) it is tried once more; the third failure poisons it.
        clock.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<SyncPartlyFailedException>(() => sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Equal(0, await sync.Histories.SyncPendingAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(20));
        var poisoned = await Assert.ThrowsAsync<SyncPartlyFailedException>(() => sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Contains("poison (poisoned): AccessDeniedException", poisoned.Message, StringComparison.Ordinal);
        var record = await PoisonAsync();
        Assert.Equal((3, true), (record.HistoryFailures, record.NeedsHistory));
        Assert.Contains("with an explicit deny in an identity-based policy", record.HistoryError, StringComparison.Ordinal);

        // Poisoned: never fetched again by the sync, however long, and listed on /sync.
        sync.StepFunctions.Reset();
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await sync.Histories.SyncPendingAsync(CancellationToken.None));
        Assert.Equal(0, sync.StepFunctions.Calls("GetExecutionHistory"));
        var health = await sync.Get<Features.SyncHealth.SyncHealthQueries>().GetAsync(CancellationToken.None);
        var unread = Assert.Single(health.UnreadHistories);
        Assert.Equal((poison, 3, true), (unread.ExecutionArn, unread.Failures, unread.Poisoned));
    }

    [Fact]
    public async Task A_cluster_the_role_may_not_read_does_not_keep_the_others_stopped_tasks_from_being_captured()
    {
        var ecs = SandboxClients.Administrator(_env.Sandbox.Endpoint).Ecs;
        // An image the sandbox has no command for: the task stops at once with CannotPullContainerError.
        await ecs.RegisterTaskDefinitionAsync(new() { Family = "unpullable", ContainerDefinitions = [new() { Name = "c", Image = "nowhere/none" }] });
        var tasks = new List<string>();
        foreach (var cluster in new[] { "blue", "green" })
        {
            await ecs.CreateClusterAsync(new() { ClusterName = cluster });
            var task = (await ecs.RunTaskAsync(new() { Cluster = cluster, TaskDefinition = "unpullable" })).Tasks![0].TaskArn!;
            await _env.Sandbox.Ecs.WaitStoppedAsync(task, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            tasks.Add(task);
        }

        var clusters = (await ecs.ListClustersAsync(new())).ClusterArns!;
        _env.Sandbox.Faults.Inject(new ApiFault("ListTasks", ApiFaultKind.AccessDenied, 1));

        await _env.Sync.RunJobAsync<StoppedTaskCaptureJob>();

        // The first cluster listed was refused; every other cluster's stopped task is captured.
        var refused = clusters[0][(clusters[0].LastIndexOf('/') + 1)..];
        Assert.Contains($"Captured {clusters.Count - 1} of {clusters.Count} clusters; could not read {refused}: AccessDeniedException", (await _env.Sync.Status.GetHealthAsync(CancellationToken.None)).LastError, StringComparison.Ordinal);
        Assert.Equal(tasks.Count(t => !t.Contains($"/{refused}/", StringComparison.Ordinal)), await StoppedCountAsync());

        await _env.Sync.RunJobAsync<StoppedTaskCaptureJob>();

        Assert.Equal(2, await StoppedCountAsync());
    }

    private async Task<int> StoppedCountAsync()
    {
        await using var db = await _env.Database.Contexts.CreateDbContextAsync();
        return await db.StoppedTasks.CountAsync();
    }

    [Fact]
    public async Task A_sync_that_fails_past_its_retries_is_recorded_and_the_next_run_loses_nothing()
    {
        var quick = await _env.CreateStateMachineAsync("quick", PassDefinition);
        await StartAsync(quick, 10, "before");
        await _env.Sync.RunJobAsync<ExecutionIndexJob>();
        var goodSync = (await _env.Sync.Status.GetHealthAsync(CancellationToken.None)).LastGoodSync;

        // AWS keeps failing for one whole run (the client's 4 attempts), while new executions start.
        _env.Sandbox.Faults.Inject(new ApiFault("ListStateMachines", ApiFaultKind.ServerError, 4));
        await StartAsync(quick, 10, "during");
        await _env.Sync.RunJobAsync<ExecutionIndexJob>();

        var health = await _env.Sync.Status.GetHealthAsync(CancellationToken.None);
        Assert.True(health.IsStale);
        Assert.Equal(goodSync, health.LastGoodSync);
        Assert.Contains("InternalServerException", health.LastError, StringComparison.Ordinal);
        Assert.Equal(10, (await _env.Sync.ExecutionsAsync()).Count);

        await _env.Sync.RunJobAsync<ExecutionIndexJob>();

        Assert.False((await _env.Sync.Status.GetHealthAsync(CancellationToken.None)).IsStale);
        Assert.Equal(20, (await _env.Sync.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task With_the_sandbox_stopped_sync_marks_the_data_stale_and_the_read_model_still_answers()
    {
        var quick = await _env.CreateStateMachineAsync("quick", PassDefinition);
        await StartAsync(quick, 3, "kept");
        await _env.Sync.RunJobAsync<ExecutionIndexJob>();
        await _env.Sync.RunJobAsync<ExecutionHistoryJob>();

        await _env.Sandbox.DisposeAsync();
        await _env.Sync.RunJobAsync<ExecutionIndexJob>();

        var health = await _env.Sync.Status.GetHealthAsync(CancellationToken.None);
        Assert.True(health.IsStale);
        Assert.NotNull(health.LastGoodSync);
        Assert.NotNull(health.LastError);
        var page = await new BatchOps.Dashboard.Features.Executions.ExecutionQueries(_env.Database.Contexts, TimeProvider.System).GetPageAsync(new(), CancellationToken.None);
        Assert.Equal(3, page.Total);
    }

    [Fact]
    public async Task A_redrive_of_an_older_execution_is_found_by_the_redrive_sweep()
    {
        // One execution per page: the index pass stops at the newest page it already knows and never reaches the older one.
        await using var sync = new SyncHarness(_env.Sandbox.Endpoint, _env.Database, new Dictionary<string, string?> { ["Sync:PageSize"] = "1" });
        var failing = await _env.CreateStateMachineAsync("export", FailDefinition);
        var arn = (await StartAsync(failing, 1, "old"))[0];
        await StartAsync(failing, 1, "new");
        await sync.Indexer.RunAsync(CancellationToken.None);
        await sync.Histories.SyncPendingAsync(CancellationToken.None);

        await _env.StepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = arn });
        await _env.Sandbox.StepFunctions.WhenIdleAsync();
        var indexed = await sync.Indexer.RunAsync(CancellationToken.None);
        var swept = await sync.Indexer.SweepRedrivesAsync(CancellationToken.None);
        await sync.Histories.SyncPendingAsync(CancellationToken.None);

        Assert.Equal(0, indexed.ChangedExecutions);
        Assert.Equal(1, swept);
        await using var db = await _env.Database.Contexts.CreateDbContextAsync();
        var row = await db.Executions.SingleAsync(e => e.Arn == arn);
        Assert.Equal(1, row.RedriveCount);
        Assert.Equal(1, await db.Redrives.CountAsync(r => r.ExecutionArn == arn));
    }

    private async Task<List<string>> StartAsync(string machine, int count, string prefix)
    {
        var arns = new List<string>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(50))
        {
            var started = await Task.WhenAll(chunk.Select(i => _env.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = $"{prefix}-{i:D4}", Input = "{}" })));
            arns.AddRange(started.Select(s => s.ExecutionArn));
        }

        await _env.Sandbox.StepFunctions.WhenIdleAsync();
        return arns;
    }
}
