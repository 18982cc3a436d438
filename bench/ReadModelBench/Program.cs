using System.Diagnostics;
using System.Globalization;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

// Fills a read model with N executions (3 task runs each) and times the executions page query, filtered as operators
// filter it, on SQLite and/or PostgreSQL. Prints median and p95 per query.
//   dotnet run -c Release --project bench/ReadModelBench -- [--executions 100000] [--runs 40] [--sqlite] [--postgres "Host=...;Username=...;Password=...;Database=postgres"]
// Without --sqlite/--postgres it runs SQLite, and PostgreSQL too when tests/scripts/ensure-postgres.sh can start one.
var executions = Option("--executions", 100_000);
var runs = Option("--runs", 40);
var targets = new List<(ReadModelProvider Provider, string ConnectionString)>();
if (args.Contains("--sqlite") || !args.Contains("--postgres"))
{
    var file = Path.Combine(Path.GetTempPath(), $"batchops-bench-{Environment.ProcessId}.db");
    targets.Add((ReadModelProvider.Sqlite, $"Data Source={file}"));
}

if (args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault() is { } pg)
{
    targets.Add((ReadModelProvider.PostgreSQL, pg));
}
else if (!args.Contains("--sqlite") && StartPostgres() is { } started)
{
    targets.Add((ReadModelProvider.PostgreSQL, started));
}

Console.WriteLine($"Read model bench: {executions:N0} executions, {executions * 3:N0} task runs; {runs} timed runs per query after 5 warm-up runs; {Environment.ProcessorCount} cores");
foreach (var (provider, connection) in targets)
{
    var database = provider == ReadModelProvider.PostgreSQL ? BenchDatabase(connection) : connection;
    var create = ReadModelContextFactory.Create(provider, database);
    await using (var db = create())
    {
        await db.Database.EnsureDeletedAsync();
        await db.Database.MigrateAsync();
    }

    var fill = Stopwatch.StartNew();
    await FillAsync(create, executions);
    await using (var db = create())
    {
        // Statistics as a running system has them (PostgreSQL's autovacuum, the dashboard's PRAGMA optimize at start).
        await db.Database.ExecuteSqlRawAsync(provider == ReadModelProvider.PostgreSQL ? "VACUUM ANALYZE" : "ANALYZE");
    }

    Console.WriteLine($"\n{provider}: filled in {fill.Elapsed.TotalSeconds:0.0} s");

    var queries = new ExecutionQueries(new Factory(create), TimeProvider.System);
    var scenarios = new (string Name, ExecutionsFilter Filter)[]
    {
        ("all, newest first (page 1)", new ExecutionsFilter()),
        ("status=FAILED", new ExecutionsFilter { Status = "FAILED" }),
        ("workflow+FAILED+last 7 days", new ExecutionsFilter { Workflow = "batch-job", Status = "FAILED", Range = "7d" }),
        ("status=REDRIVABLE", new ExecutionsFilter { Status = ExecutionsFilter.Redrivable }),
        ("reason=OutOfMemory", new ExecutionsFilter { Reason = StopReasonClass.OutOfMemory }),
        ("name contains \"import\" + 30 days", new ExecutionsFilter { Search = "import", Range = "30d" }),
        ("workflow, sorted by name, page 20", new ExecutionsFilter { Workflow = "nightly-batch", Sort = "name", Descending = false, Page = 20 }),
    };
    Console.WriteLine($"{"query",-36} {"rows",6} {"total",8} {"median ms",10} {"p95 ms",8}");
    foreach (var (name, filter) in scenarios)
    {
        ExecutionPage? page = null;
        for (var i = 0; i < 5; i++)
        {
            page = await queries.GetPageAsync(filter, CancellationToken.None);
        }

        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            page = await queries.GetPageAsync(filter, CancellationToken.None);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"{name,-36} {page!.Rows.Count,6} {page.Total,8:N0} {times[times.Count / 2],10:0.0} {times[(int)(times.Count * 0.95)],8:0.0}");
    }
}

return 0;

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

static string? StartPostgres()
{
    var root = new DirectoryInfo(AppContext.BaseDirectory);
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "BatchOps.slnx")))
    {
        root = root.Parent;
    }

    if (root is null)
    {
        return null;
    }

    using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root.FullName, "tests", "scripts", "ensure-postgres.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return process.ExitCode == 0 ? output.Trim().Split('\n')[^1] : null;
}

// The bench's own database on that server; EnsureDeleted + Migrate below recreate it each run.
static string BenchDatabase(string server) =>
    new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = "batchops_bench" }.ConnectionString;

static async Task FillAsync(Func<ReadModelDbContext> create, int count)
{
    var workflows = new[] { "batch-job", "callback-job", "nightly-batch", "orchestrator" };
    var jobs = new[] { "export", "import", "report", "sync", "rebuild", "settle" };
    var random = new Random(42);
    var now = DateTimeOffset.UtcNow;
    const int batch = 5_000;
    for (var start = 0; start < count; start += batch)
    {
        await using var db = create();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        for (var i = start; i < Math.Min(count, start + batch); i++)
        {
            var workflow = workflows[i % workflows.Length];
            var started = now.AddSeconds(-random.Next(0, 90 * 24 * 3600));
            var roll = random.Next(100);
            var status = roll < 85 ? "SUCCEEDED" : roll < 93 ? "FAILED" : roll < 96 ? "RUNNING" : roll < 98 ? "TIMED_OUT" : "ABORTED";
            var failed = status is "FAILED" or "TIMED_OUT" or "ABORTED";
            var reason = failed ? (StopReasonClass)random.Next(1, 8) : (StopReasonClass?)null;
            var name = $"{jobs[i % jobs.Length]}-{started:yyyyMMdd-HHmmss}-{i:x5}";
            var arn = $"arn:aws:states:us-east-1:123456789012:execution:{workflow}:{name}";
            db.Executions.Add(new ExecutionRecord
            {
                Arn = arn,
                StateMachineArn = $"arn:aws:states:us-east-1:123456789012:stateMachine:{workflow}",
                StateMachineName = workflow,
                Name = name,
                Status = status,
                StartDate = started,
                StopDate = status == "RUNNING" ? null : started.AddSeconds(random.Next(5, 3600)),
                RedriveStatus = failed ? (random.Next(3) == 0 ? "NOT_REDRIVABLE" : "REDRIVABLE") : null,
                ReasonClass = reason,
                Error = failed ? "States.TaskFailed" : null,
                EcsTaskCount = 3,
                UpdatedAt = now,
            });
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                db.TaskRuns.Add(new TaskRunRecord
                {
                    ExecutionArn = arn,
                    StateName = "Run worker",
                    Attempt = attempt,
                    ResourceType = "ecs",
                    Resource = "runTask.sync",
                    ScheduledAt = started.AddSeconds(attempt * 30),
                    EndedAt = started.AddSeconds((attempt * 30) + 20),
                    Outcome = attempt < 3 || failed ? TaskRunOutcome.Failed : TaskRunOutcome.Succeeded,
                    TaskArn = $"arn:aws:ecs:us-east-1:123456789012:task/workers/{i:x8}{attempt}",
                    StopCode = "EssentialContainerExited",
                    StoppedReason = "Essential container in task exited",
                    ExitCode = attempt < 3 ? 2 : failed ? 1 : 0,
                    ReasonClass = attempt < 3 ? StopReasonClass.ApplicationExit : reason ?? StopReasonClass.Succeeded,
                    Retryable = attempt < 3,
                });
            }
        }

        await db.SaveChangesAsync();
    }
}

internal sealed class Factory(Func<ReadModelDbContext> create) : IDbContextFactory<ReadModelDbContext>
{
    public ReadModelDbContext CreateDbContext() => create();
}
