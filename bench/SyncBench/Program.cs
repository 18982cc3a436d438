using System.Diagnostics;
using System.Globalization;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using Microsoft.EntityFrameworkCore;

// Backfill memory: a sandbox (in this process) with many executions across several workflows, then the dashboard's
// execution indexer passes over HTTP into a SQLite read model until every workflow's first sync is done. After each
// pass the managed heap (after a full collection) is printed, less what it was before the first pass: flat means the
// backfill holds one page at a time, not what it scanned.
// Usage: [--executions 50000] [--workflows 4] [--page-size 100] [--pages-per-pass 25]
//        --history 25000   (instead: one history of that many events, see LargeHistorySync)
int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
if (Arg("--history", 0) is > 0 and var size)
{
    await BatchOps.SyncBench.LargeHistorySync.RunAsync(size);
    return 0;
}

var executions = Arg("--executions", 50_000);
var workflows = Arg("--workflows", 4);
var pageSize = Arg("--page-size", 100);
var pagesPerPass = Arg("--pages-per-pass", 25);

await using var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
var created = Stopwatch.StartNew();
for (var w = 0; w < workflows; w++)
{
    var machine = sandbox.StepFunctions.CreateStateMachine(new() { Name = $"workflow-{w}", Definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""", RoleArn = SandboxClients.AdministratorRoleArn }).StateMachineArn;
    for (var i = 0; i < executions / workflows; i++)
    {
        sandbox.StepFunctions.StartExecution(new StartExecutionRequest { StateMachineArn = machine, Name = $"run-{i:D6}" });
    }
}

await sandbox.StepFunctions.WhenIdleAsync();
Console.WriteLine($"{executions:N0} executions in {workflows} workflows started and finished in the sandbox in {created.Elapsed.TotalSeconds:0.0} s; page size {pageSize}, {pagesPerPass} pages a pass, {Environment.ProcessorCount} cores");

await using var database = await ReadModelDatabase.CreateAsync(ReadModelProvider.Sqlite);
var settings = new Dictionary<string, string?> { ["Sync:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture), ["Sync:BackfillPagesPerPass"] = pagesPerPass.ToString(CultureInfo.InvariantCulture) };
await using var sync = new SyncHarness(sandbox.Endpoint, database, settings);
var baseline = GC.GetTotalMemory(forceFullCollection: true);
var heaps = new List<double>();
var watch = Stopwatch.StartNew();
Console.WriteLine("pass  indexed   ListExecutions  heap over baseline (MiB)  working set (MiB)");
for (var pass = 1; ; pass++)
{
    await sync.Indexer.RunAsync(CancellationToken.None);
    int indexed;
    bool backfilling;
    await using (var db = await database.Contexts.CreateDbContextAsync())
    {
        indexed = await db.Executions.CountAsync();
        backfilling = await db.SyncCursors.AnyAsync(c => c.Key.StartsWith("executions:") && c.NewestStartDate == null);
    }

    var heap = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / 1024.0 / 1024.0;
    heaps.Add(heap);
    Console.WriteLine($"{pass,4}  {indexed,7:N0}  {sync.StepFunctions.Calls("ListExecutions"),14:N0}  {heap,24:0.0}  {Environment.WorkingSet / 1024.0 / 1024.0,17:0}");
    if (!backfilling)
    {
        break;
    }
}

Console.WriteLine($"backfill: {watch.Elapsed.TotalSeconds:0.0} s; heap over baseline after the first pass {heaps[0]:0.0} MiB, after the last {heaps[^1]:0.0} MiB, largest {heaps.Max():0.0} MiB");
return 0;
