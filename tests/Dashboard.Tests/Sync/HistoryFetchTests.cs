using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>How histories are fetched and stored: the new events only, in chunks, whole when read back.</summary>
public sealed class HistoryFetchTests : IAsyncLifetime
{
    // A Map of Pass iterations (four events each) ending in a Fail state, so it can be redriven.
    private const string FanOutThenFail = """
        {"StartAt":"Each","States":{
          "Each":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultPath":null,"Next":"Stop"},
          "Stop":{"Type":"Fail","Error":"Export.Failed","Cause":"no rows"}}}
        """;

    private const string FanOut = """
        {"StartAt":"Each","States":{
          "Each":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultPath":null,"End":true}}}
        """;

    private SyncSandbox _env = null!;

    public async Task InitializeAsync() => _env = await SyncSandbox.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task A_redriven_execution_fetches_only_the_events_after_the_stored_ones_newest_first()
    {
        var arn = await RunAsync(FanOutThenFail, items: 600);
        Assert.True(await _env.Sync.Histories.RefreshAsync(arn, CancellationToken.None));
        var before = await AwsHistoryAsync(arn);
        await _env.StepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = arn });
        await _env.Sandbox.StepFunctions.WhenIdleAsync();
        var after = await AwsHistoryAsync(arn);
        _env.Sync.StepFunctions.Reset();

        Assert.True(await _env.Sync.Histories.RefreshAsync(arn, CancellationToken.None));

        var added = after.Count - before.Count;
        var request = Assert.Single(_env.Sync.StepFunctions.HistoryRequests);
        Assert.True(request.Request.ReverseOrder);
        Assert.Equal(HistorySynchronizer.NewestFirstPage, request.Request.MaxResults);
        Assert.InRange(added, 1, HistorySynchronizer.NewestFirstPage - 1);
        var detail = (await new ExecutionDetailQueries(_env.Database.Contexts).GetAsync(arn, CancellationToken.None))!;
        Assert.Equal(after.Select(e => (e.Id, e.Type)), detail.Events.Select(e => (e.Id, e.Type)));
        Assert.Equal(1, Assert.Single(detail.Redrives).RedriveCount);
        Assert.Equal("FAILED", detail.Execution.Status);
    }

    [Fact]
    public async Task Events_added_past_the_first_newest_first_page_are_read_on_until_the_stored_one()
    {
        var arn = await RunAsync(FanOut, items: 100);
        Assert.True(await _env.Sync.Histories.RefreshAsync(arn, CancellationToken.None));
        // Only the first five events stored, as if the sync had read the execution just after it started: the 401
        // events AWS added since span two newest-first pages.
        var full = await AwsHistoryAsync(arn);
        await StoreAsync(arn, full[..5]);
        _env.Sync.StepFunctions.Reset();

        Assert.True(await _env.Sync.Histories.RefreshAsync(arn, CancellationToken.None));

        Assert.Equal(406, full.Count);
        Assert.Equal([(true, HistorySynchronizer.NewestFirstPage), (true, 1000)], _env.Sync.StepFunctions.HistoryRequests.Select(r => (r.Request.ReverseOrder == true, r.Request.MaxResults ?? 0)));
        var detail = (await new ExecutionDetailQueries(_env.Database.Contexts).GetAsync(arn, CancellationToken.None))!;
        Assert.Equal(full.Select(e => e.Id), detail.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task A_history_stored_before_chunks_is_fetched_whole_again_and_rewritten_in_chunks()
    {
        var arn = await RunAsync(FanOut, items: 400);
        var full = await AwsHistoryAsync(arn);
        await using (var db = await _env.Database.Contexts.CreateDbContextAsync())
        {
            // What the migration leaves: the old single blob as chunk 0, and no last event id.
            db.Executions.Add(new ExecutionRecord { Arn = arn, StateMachineArn = "arn:aws:states:us-east-1:000000000000:stateMachine:fan-out", StateMachineName = "fan-out", Name = "run", Status = "RUNNING" });
            db.Histories.Add(new ExecutionHistoryRecord { ExecutionArn = arn, EventCount = 3, LastEventId = 0 });
            db.HistoryChunks.Add(new ExecutionHistoryChunkRecord { ExecutionArn = arn, Sequence = 0, EventsJson = StoredHistory.Serialize(full.Take(3)) });
            await db.SaveChangesAsync();
        }

        Assert.True(await _env.Sync.Histories.RefreshAsync(arn, CancellationToken.None));

        Assert.NotEmpty(_env.Sync.StepFunctions.HistoryRequests);
        Assert.All(_env.Sync.StepFunctions.HistoryRequests, r => Assert.NotEqual(true, r.Request.ReverseOrder));
        Assert.Equal(full.Count, _env.Sync.StepFunctions.HistoryRequests.Sum(r => r.Events));
        await using var check = await _env.Database.Contexts.CreateDbContextAsync();
        var history = await check.Histories.SingleAsync(h => h.ExecutionArn == arn);
        Assert.Equal((full.Count, full[^1].Id), (history.EventCount, history.LastEventId));
        Assert.Equal(2, await check.HistoryChunks.CountAsync(c => c.ExecutionArn == arn));
        Assert.Equal(full.Select(e => e.Id), (await StoredHistory.ReadAsync(check, arn, history.EventCount, CancellationToken.None)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_history_of_25000_events_is_stored_in_chunks_of_1000_and_the_page_reads_it_whole()
    {
        // Six events around the Map, four per iteration: 6 + 4 × 6 248 = 24 998 events, AWS's limit being 25 000.
        var arn = await RunAsync(FanOut, items: 6_248);

        Assert.True(await _env.Sync.Histories.RefreshAsync(arn, CancellationToken.None));

        var full = await AwsHistoryAsync(arn);
        Assert.Equal(24_998, full.Count);
        Assert.Equal(25, _env.Sync.StepFunctions.HistoryRequests.Count);
        await using var db = await _env.Database.Contexts.CreateDbContextAsync();
        Assert.Equal(25, await db.HistoryChunks.CountAsync(c => c.ExecutionArn == arn));
        var largest = await db.HistoryChunks.Where(c => c.ExecutionArn == arn).MaxAsync(c => c.EventsJson.Length);
        Assert.InRange(largest, 1, 1024 * 1024);
        var detail = (await new ExecutionDetailQueries(_env.Database.Contexts).GetAsync(arn, CancellationToken.None))!;
        Assert.Equal(full.Select(e => e.Id), detail.Events.Select(e => e.Id));
        Assert.Equal(full[^1].Type, detail.Events[^1].Type);
        Assert.Equal("SUCCEEDED", detail.Execution.Status);
    }

    [Fact]
    public async Task Appending_across_a_chunk_boundary_rewrites_only_the_last_chunk_onward()
    {
        const string Arn = "arn:aws:states:us-east-1:000000000000:execution:fan-out:appended";
        var events = Enumerable.Range(1, 3_200).Select(i => new HistoryEvent { Id = i, PreviousEventId = i - 1, Type = "PassStateEntered", Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i) }).ToList();
        await using (var db = await _env.Database.Contexts.CreateDbContextAsync())
        {
            await StoredHistory.WriteAsync(db, Arn, events[..2_500], kept: 0, CancellationToken.None);
        }

        string untouched;
        await using (var db = await _env.Database.Contexts.CreateDbContextAsync())
        {
            untouched = await db.HistoryChunks.Where(c => c.ExecutionArn == Arn && c.Sequence == 1).Select(c => c.EventsJson).SingleAsync();
            await db.HistoryChunks.Where(c => c.ExecutionArn == Arn && c.Sequence == 1).ExecuteUpdateAsync(s => s.SetProperty(c => c.EventsJson, c => c.EventsJson + " "));
            await StoredHistory.WriteAsync(db, Arn, events, kept: 2_500, CancellationToken.None);
        }

        await using var check = await _env.Database.Contexts.CreateDbContextAsync();
        Assert.Equal([0, 1, 2, 3], await check.HistoryChunks.Where(c => c.ExecutionArn == Arn).OrderBy(c => c.Sequence).Select(c => c.Sequence).ToListAsync());
        // Chunk 1 (events 1 001-2 000) was not written again: it still has the marker added after the first write.
        Assert.Equal(untouched + " ", await check.HistoryChunks.Where(c => c.ExecutionArn == Arn && c.Sequence == 1).Select(c => c.EventsJson).SingleAsync());
        Assert.Equal(events.Select(e => e.Id), (await StoredHistory.ReadAsync(check, Arn, 3_200, CancellationToken.None)).Select(e => e.Id));
    }

    private async Task<string> RunAsync(string definition, int items)
    {
        var machine = await _env.CreateStateMachineAsync("fan-out", definition);
        return await StartAsync(machine, "run", items);
    }

    private async Task<string> StartAsync(string machine, string name, int items)
    {
        var started = await _env.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = name, Input = JsonSerializer.Serialize(new { items = Enumerable.Range(0, items) }) });
        await _env.Sandbox.StepFunctions.WhenIdleAsync();
        return started.ExecutionArn;
    }

    private async Task<List<HistoryEvent>> AwsHistoryAsync(string arn)
    {
        var events = new List<HistoryEvent>();
        await foreach (var page in _env.StepFunctions.GetExecutionHistoryPagesAsync(new GetExecutionHistoryRequest { ExecutionArn = arn, MaxResults = 1000 }))
        {
            events.AddRange(page.Events);
        }

        return events;
    }

    private async Task StoreAsync(string arn, List<HistoryEvent> events)
    {
        await using var db = await _env.Database.Contexts.CreateDbContextAsync();
        await db.Histories.Where(h => h.ExecutionArn == arn).ExecuteUpdateAsync(s => s.SetProperty(h => h.EventCount, events.Count).SetProperty(h => h.LastEventId, events[^1].Id));
        await StoredHistory.WriteAsync(db, arn, events, kept: 0, CancellationToken.None);
    }
}
