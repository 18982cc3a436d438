using System.Diagnostics;
using System.Globalization;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.ReadModel;
using BatchOps.ReadModelBench;
using Microsoft.EntityFrameworkCore;

// Fills a read model with N executions (3 task runs and 3 stopped ECS tasks each) and times the Executions and Stopped
// tasks pages' queries, filtered as operators filter them, on SQLite and/or PostgreSQL. Prints median and p95 per query, then the Execution page's server time for a
// 25 000-event history.
//   dotnet run -c Release --project bench/ReadModelBench -- [--executions 100000] [--runs 40] [--sqlite] [--sqlite-file path] [--postgres "Host=...;Username=...;Password=...;Database=postgres"] [--reuse] [--keep-history]
// Without --sqlite/--postgres it runs SQLite, and PostgreSQL too when tests/scripts/ensure-postgres.sh can start one.
var executions = Option("--executions", 100_000);
var runs = Option("--runs", 40);
var targets = new List<(ReadModelProvider Provider, string ConnectionString)>();
if (args.Contains("--sqlite") || !args.Contains("--postgres"))
{
    var file = args.SkipWhile(a => a != "--sqlite-file").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), $"batchops-bench-{Environment.ProcessId}.db");
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
    var fill = System.Diagnostics.Stopwatch.StartNew();
    var reused = false;
    await using (var db = create())
    {
        // --reuse: a database this bench filled before with the same number of executions is timed again as it is.
        // Migrations added since are applied to it (new indexes build over the rows already there).
        reused = args.Contains("--reuse") && await db.Database.CanConnectAsync()
            && await db.Executions.CountAsync() is var count && count >= executions && count <= executions + 1;
        if (!reused)
        {
            await db.Database.EnsureDeletedAsync();
        }

        await db.Database.MigrateAsync();
    }

    if (!reused)
    {
        var generated = GeneratedExecution.Generate(executions, DateTimeOffset.UtcNow.AddMinutes(-1));
        await (provider == ReadModelProvider.PostgreSQL ? BulkFill.PostgresAsync(database, generated) : BulkFill.SqliteAsync(database, generated));
    }

    await using (var db = create())
    {
        // Statistics as a running system has them (PostgreSQL's autovacuum, the dashboard's PRAGMA optimize at start).
        await db.Database.ExecuteSqlRawAsync(provider == ReadModelProvider.PostgreSQL ? "VACUUM ANALYZE" : "ANALYZE");
    }

    Console.WriteLine(reused
        ? $"\n{provider}: reused the {executions:N0} executions filled before (their start dates are as old as that fill)"
        : $"\n{provider}: filled {executions:N0} executions, {executions * 3:N0} task runs and {executions * 3:N0} stopped tasks in {fill.Elapsed.TotalSeconds:0.0} s");

    var queries = new ExecutionQueries(new Factory(create), TimeProvider.System);
    var scenarios = new (string Name, ExecutionsFilter Filter)[]
    {
        ("all, newest first (page 1)", new ExecutionsFilter()),
        ("status=FAILED", new ExecutionsFilter { Status = "FAILED" }),
        ("workflow+FAILED+last 7 days", new ExecutionsFilter { Workflow = "batch-job", Status = "FAILED", Range = "7d" }),
        ("status=REDRIVABLE", new ExecutionsFilter { Status = ExecutionsFilter.Redrivable }),
        ("reason=OutOfMemory", new ExecutionsFilter { Reason = StopReasonClass.OutOfMemory }),
        ("name contains \"import\" + 30 days", new ExecutionsFilter { Search = "import", Range = "30d" }),
        ("name contains \"0215-0930\"", new ExecutionsFilter { Search = "0215-0930" }),
        ("workflow, sorted by name, page 20", new ExecutionsFilter { Workflow = "nightly-batch", Sort = "name", Descending = false, Page = 20 }),
        ("last 24 hours, page 10", new ExecutionsFilter { Range = "24h", Page = 10 }),
    };
    Console.WriteLine($"{"Executions page",-36} {"rows",6} {"total",9} {"median ms",10} {"p95 ms",8}");
    foreach (var (name, filter) in scenarios)
    {
        var (page, median, p95) = await TimeAsync(() => queries.GetPageAsync(filter, CancellationToken.None));
        Console.WriteLine($"{name,-36} {page.Rows.Count,6} {page.Total,9:N0} {median,10:0.0} {p95,8:0.0}");
        await using var planDb = create();
        Console.WriteLine($"    plan: {await PlanAsync(planDb, queries.RowsQuery(planDb, filter, page), provider)}");
    }

    var stoppedQueries = new StoppedTaskQueries(new Factory(create), TimeProvider.System);
    var stoppedScenarios = new (string Name, StoppedTasksFilter Filter)[]
    {
        ("all, newest first (page 1)", new StoppedTasksFilter()),
        ("reason=OutOfMemory", new StoppedTasksFilter { Reason = StopReasonClass.OutOfMemory }),
        ("exit code 137 + last 7 days", new StoppedTasksFilter { ExitCode = 137, Range = "7d" }),
        ("task definition + last 24 hours", new StoppedTasksFilter { Family = "batchops-batch-job", Range = "24h" }),
        ("reason+definition+30 days, page 5", new StoppedTasksFilter { Reason = StopReasonClass.ApplicationExit, Family = "batchops-orchestrator", Range = "30d", Page = 5 }),
        ("all, page 20", new StoppedTasksFilter { Page = 20 }),
    };
    Console.WriteLine($"{"Stopped tasks page",-36} {"rows",6} {"total",9} {"median ms",10} {"p95 ms",8}");
    foreach (var (name, filter) in stoppedScenarios)
    {
        var (page, median, p95) = await TimeAsync(() => stoppedQueries.GetPageAsync(filter, CancellationToken.None));
        Console.WriteLine($"{name,-36} {page.Rows.Count,6} {page.Total,9:N0} {median,10:0.0} {p95,8:0.0}");
        await using var planDb = create();
        var (from, to) = filter.Window(DateTimeOffset.UtcNow);
        Console.WriteLine($"    plan: {await PlanAsync(planDb, StoppedTaskQueries.RowsQuery(planDb, filter, from, to, page.Page), provider)}");
    }

    await LargeHistory.RunAsync(create, runs, keep: args.Contains("--keep-history"));
}

return 0;

// Five warm-up runs, then the timed ones: the last result, the median and the 95th percentile in ms.
async Task<(T Result, double Median, double P95)> TimeAsync<T>(Func<Task<T>> run)
{
    var result = default(T);
    for (var i = 0; i < 5; i++)
    {
        result = await run();
    }

    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        result = await run();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (result!, times[times.Count / 2], times[(int)(times.Count * 0.95)]);
}

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
// No command timeout: COPY of a million rows runs the triggers for each, longer than the default 30 s.
static string BenchDatabase(string server) =>
    new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = "batchops_bench", CommandTimeout = 0 }.ConnectionString;

// The rows query's plan in one line: SQLite's EXPLAIN QUERY PLAN steps, or PostgreSQL's plan nodes.
static async Task<string> PlanAsync(ReadModelDbContext db, IQueryable rows, ReadModelProvider provider)
{
    var connection = db.Database.GetDbConnection();
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    // ToQueryString inlines the parameters as SQL declarations (SQLite) or literals; EXPLAIN needs the statement itself.
    var sql = rows.ToQueryString();
    var statement = string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal) && !l.StartsWith("-- ", StringComparison.Ordinal)));
    var values = new List<(string Name, string Value)>();
    foreach (var line in sql.Split('\n').Select(l => l.Trim()))
    {
        if (line.StartsWith(".param set", StringComparison.Ordinal) && line.Split(' ', 4) is [_, _, var name, var value])
        {
            values.Add((name.StartsWith('@') ? name : "@" + name, value));
        }
        else if (System.Text.RegularExpressions.Regex.Match(line, @"^-- (@\w+)='(.*?)'( \(.*\))?$") is { Success: true } declared)
        {
            values.Add((declared.Groups[1].Value, $"'{declared.Groups[2].Value}'"));
        }
    }

    // Longest names first, so @p1 does not replace the start of @p10.
    foreach (var (name, value) in values.OrderByDescending(v => v.Name.Length))
    {
        statement = statement.Replace(name, value, StringComparison.Ordinal);
    }

    command.CommandText = (provider == ReadModelProvider.PostgreSQL ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + statement;
    if (Environment.GetEnvironmentVariable("BENCH_SHOW_SQL") == "1")
    {
        Console.WriteLine(sql);
    }

    var steps = new List<string>();
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        steps.Add(provider == ReadModelProvider.PostgreSQL ? reader.GetString(0).Trim().Split("  (cost")[0] : reader.GetString(3));
    }

    return string.Join(" | ", steps.Take(6));
}

internal sealed class Factory(Func<ReadModelDbContext> create) : IDbContextFactory<ReadModelDbContext>
{
    public ReadModelDbContext CreateDbContext() => create();
}
