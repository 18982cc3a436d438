using System.Diagnostics;
using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.SyncBench;

/// <summary>
/// One execution with a history of AWS's maximum size (a Map of Pass iterations, four events each) synced from the
/// sandbox (in this process) into a SQLite read model: the first fetch (all of it), then a fetch after a redrive (the
/// new events only). While each runs, the live heap is sampled (after full collections), to compare with what the
/// events take alone and what their stored JSON takes: a sync holding both at once would need about their sum.
/// </summary>
internal static class LargeHistorySync
{
    private const string FanOutThenFail = """
        {"StartAt":"Each","States":{
          "Each":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultPath":null,"Next":"Stop"},
          "Stop":{"Type":"Fail","Error":"Export.Failed","Cause":"no rows"}}}
        """;

    public static async Task RunAsync(int size)
    {
        await using var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
        var sfn = SandboxClients.Administrator(sandbox.Endpoint).StepFunctions;
        var machine = (await sfn.CreateStateMachineAsync(new CreateStateMachineRequest { Name = "fan-out", Definition = FanOutThenFail, RoleArn = SandboxClients.AdministratorRoleArn })).StateMachineArn;
        // ExecutionStarted, MapStateEntered, MapStateStarted, MapStateSucceeded, MapStateExited, FailStateEntered,
        // ExecutionFailed around the iterations; the redrive adds three more.
        var items = (size - 10) / 4;
        var arn = (await sfn.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = "fan-out", Input = JsonSerializer.Serialize(new { items = Enumerable.Range(0, items) }) })).ExecutionArn;
        await sandbox.StepFunctions.WhenIdleAsync();

        await using var database = await ReadModelDatabase.CreateAsync(ReadModelProvider.Sqlite);
        await using var sync = new SyncHarness(sandbox.Endpoint, database);
        Console.WriteLine($"{Environment.ProcessorCount} cores, SQLite read model, sandbox in this process");

        var first = await MeasureAsync(() => sync.Histories.RefreshAsync(arn, CancellationToken.None));
        var firstCalls = sync.StepFunctions.HistoryRequests;
        await sfn.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = arn });
        await sandbox.StepFunctions.WhenIdleAsync();
        sync.StepFunctions.Reset();
        var second = await MeasureAsync(() => sync.Histories.RefreshAsync(arn, CancellationToken.None));
        var secondCalls = sync.StepFunctions.HistoryRequests;

        // What the events take alone (the read-back list the pages build from) and what their JSON takes as strings.
        int count;
        long jsonBytes;
        double eventsMiB;
        await using (var db = await database.Contexts.CreateDbContextAsync())
        {
            var history = await db.Histories.SingleAsync();
            count = history.EventCount;
            jsonBytes = await db.HistoryChunks.SumAsync(c => (long)c.EventsJson.Length) * sizeof(char);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var events = await StoredHistory.ReadAsync(db, arn, count, CancellationToken.None);
            eventsMiB = (GC.GetTotalMemory(forceFullCollection: true) - before) / 1024.0 / 1024.0;
            GC.KeepAlive(events);
        }

        Console.WriteLine($"history: {count:N0} events; in memory as events {eventsMiB:0.0} MiB, as stored JSON strings {jsonBytes / 1024.0 / 1024.0:0.0} MiB");
        Console.WriteLine("fetch                  time      GetExecutionHistory calls  events received  live heap peak over baseline");
        Console.WriteLine($"first (all of it)      {first.Seconds,5:0.00} s  {firstCalls.Count,25}  {firstCalls.Sum(c => c.Events),15:N0}  {first.PeakMiB,22:0.0} MiB");
        Console.WriteLine($"after a redrive (new)  {second.Seconds,5:0.00} s  {secondCalls.Count,25}  {secondCalls.Sum(c => c.Events),15:N0}  {second.PeakMiB,22:0.0} MiB");
    }

    /// <summary>Runs the fetch while sampling the live heap (after a full collection) every 50 ms.</summary>
    private static async Task<(double Seconds, double PeakMiB)> MeasureAsync(Func<Task<bool>> fetch)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }
        });
        var watch = Stopwatch.StartNew();
        if (!await fetch().ConfigureAwait(false))
        {
            throw new InvalidOperationException("The sandbox did not know the execution.");
        }

        watch.Stop();
        await done.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        return (watch.Elapsed.TotalSeconds, peak / 1024.0 / 1024.0);
    }
}
