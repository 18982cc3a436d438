using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>The first sync of an account with a long history, against the sandbox over HTTP and a real SQLite read model.</summary>
public sealed class BackfillTests : IAsyncLifetime
{
    private const string PassDefinition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""";

    private SandboxServer _sandbox = null!;
    private ReadModelDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
        _database = await ReadModelDatabase.CreateAsync(ReadModelProvider.Sqlite);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Fifty_thousand_executions_in_four_workflows_backfill_once_each_through_throttling_a_failure_and_a_restart_with_one_call_per_page()
    {
        var sfn = SandboxClients.Administrator(_sandbox.Endpoint).StepFunctions;
        var machines = new List<string>();
        foreach (var name in new[] { "extract", "load", "report", "transform" })
        {
            machines.Add((await sfn.CreateStateMachineAsync(new() { Name = name, Definition = PassDefinition, RoleArn = SandboxClients.AdministratorRoleArn })).StateMachineArn);
        }

        // Started in the sandbox directly (50 000 HTTP calls would only slow the test); listed by the sync over HTTP.
        foreach (var machine in machines)
        {
            for (var i = 0; i < 12_500; i++)
            {
                _sandbox.StepFunctions.StartExecution(new StartExecutionRequest { StateMachineArn = machine, Name = $"run-{i:D5}" });
            }
        }

        await _sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var settings = new Dictionary<string, string?> { ["Sync:PageSize"] = "100", ["Sync:BackfillPagesPerPass"] = "25" };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        const int pages = 4 * 125;
        var (calls, passes, failures, restarts, incremental) = (0, 0, 0, 0, 0);
        var harness = new SyncHarness(_sandbox.Endpoint, _database, settings, clock);
        try
        {
            while (await BackfillingAsync() || passes == 0)
            {
                passes++;
                // A workflow whose backfill is done lists only what is new: one call a pass (nothing new here).
                incremental += await BackfilledAsync();
                // Throttling on every pass (the client's retries absorb it), and once AWS keeps failing beyond them.
                _sandbox.Faults.Inject(new ApiFault("ListExecutions", ApiFaultKind.Throttle, 2));
                if (passes == 3)
                {
                    _sandbox.Faults.Inject(new ApiFault("ListExecutions", ApiFaultKind.ServerError, 4));
                    failures++;
                }

                try
                {
                    await harness.Indexer.RunAsync(CancellationToken.None);
                }
                catch (SyncPartlyFailedException e) when (passes == 3)
                {
                    Assert.Contains("InternalServerException", e.Message, StringComparison.Ordinal);
                }

                if (passes == 4)
                {
                    // A restart midway: new services, the same read model; each backfill goes on from its saved page.
                    calls += harness.StepFunctions.Calls("ListExecutions");
                    await harness.DisposeAsync();
                    harness = new SyncHarness(_sandbox.Endpoint, _database, settings, clock);
                    restarts++;
                }

                // A failed state machine waits out its backoff before its next try.
                clock.Advance(TimeSpan.FromMinutes(1));
                Assert.True(passes < 100, "the backfill did not finish in 100 passes");
            }

            calls += harness.StepFunctions.Calls("ListExecutions");
        }
        finally
        {
            await harness.DisposeAsync();
        }

        // Every execution once; one ListExecutions call per page, plus the one AWS failed (and the finished workflows' own passes).
        await using var db = await _database.Contexts.CreateDbContextAsync();
        Assert.Equal(50_000, await db.Executions.CountAsync());
        foreach (var machine in machines)
        {
            Assert.Equal(12_500, await db.Executions.CountAsync(e => e.StateMachineArn == machine));
        }

        Assert.Equal(pages + failures + incremental, calls);
        Assert.InRange(incremental, 0, 3);
        Assert.Equal(1, restarts);
        Assert.InRange(passes, pages / 4 / 25, pages / 4 / 25 + 3);
        var cursors = await db.SyncCursors.AsNoTracking().Where(c => c.Key.StartsWith("executions:")).ToListAsync();
        Assert.All(cursors, c => Assert.Equal((null, 125), (c.BackfillToken, c.BackfillPages)));
        Assert.All(cursors, c => Assert.NotNull(c.NewestStartDate));
    }

    [Fact]
    public async Task The_backfill_stops_at_its_window_and_a_repeated_page_token_is_refused_instead_of_read_for_ever()
    {
        var sfn = SandboxClients.Administrator(_sandbox.Endpoint).StepFunctions;
        var machine = (await sfn.CreateStateMachineAsync(new() { Name = "old", Definition = PassDefinition, RoleArn = SandboxClients.AdministratorRoleArn })).StateMachineArn;
        for (var i = 0; i < 300; i++)
        {
            _sandbox.StepFunctions.StartExecution(new StartExecutionRequest { StateMachineArn = machine, Name = $"run-{i:D3}" });
        }

        await _sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
        // The dashboard's clock is 15 days on: every execution is older than the 14-day window.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(15));
        await using (var late = new SyncHarness(_sandbox.Endpoint, _database, new Dictionary<string, string?> { ["Sync:PageSize"] = "100" }, clock))
        {
            var pass = await late.Indexer.RunAsync(CancellationToken.None);

            Assert.Equal((1, 0), (pass.ListExecutionsCalls, pass.NewExecutions));
        }

        await using var db = await _database.Contexts.CreateDbContextAsync();
        var cursor = await db.SyncCursors.SingleAsync(c => c.Key == ExecutionIndexer.CursorKey(machine));
        Assert.NotNull(cursor.NewestStartDate);

        // A saved position whose page hands back the same token: refused, recorded against the workflow, not looped on.
        cursor.NewestStartDate = null;
        cursor.BackfillToken = Convert.ToBase64String("100"u8.ToArray());
        await db.SaveChangesAsync();
        await using var looping = new SyncHarness(_sandbox.Endpoint, _database, new Dictionary<string, string?> { ["Sync:PageSize"] = "100", ["Sync:BackfillPagesPerPass"] = "1000" }, new FakeTimeProvider(DateTimeOffset.UtcNow));
        _sandbox.Faults.Inject(new ApiFault("ListExecutions", ApiFaultKind.RepeatPageToken));

        var failed = await Assert.ThrowsAsync<SyncPartlyFailedException>(() => looping.Indexer.RunAsync(CancellationToken.None));

        Assert.Contains("returned the page token it was given", failed.Message, StringComparison.Ordinal);
        Assert.Equal(1, looping.StepFunctions.Calls("ListExecutions"));
        await db.Entry(cursor).ReloadAsync();
        Assert.Equal(1, cursor.ConsecutiveFailures);
    }

    private async Task<int> BackfilledAsync()
    {
        await using var db = await _database.Contexts.CreateDbContextAsync();
        return await db.SyncCursors.CountAsync(c => c.Key.StartsWith("executions:") && c.NewestStartDate != null);
    }

    private async Task<bool> BackfillingAsync()
    {
        await using var db = await _database.Contexts.CreateDbContextAsync();
        return await db.SyncCursors.AnyAsync(c => c.Key.StartsWith("executions:") && c.NewestStartDate == null);
    }
}
