using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Dashboard.Tests.ReadModel;

/// <summary>
/// The counts the database keeps as executions and stopped tasks are written (triggers on both providers) always equal
/// counting the rows: after a random mix of inserts, status changes, redrives, reason changes and deletes, for every
/// scope and window.
/// </summary>
public sealed class KeptCountsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 30, 0, TimeSpan.Zero);
    private static readonly string[] Workflows = ["batch-job", "callback-job", "nightly-batch"];
    private static readonly string[] Statuses = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

    public static TheoryData<ReadModelProvider, int> Mixes => new()
    {
        { ReadModelProvider.Sqlite, 1 },
        { ReadModelProvider.Sqlite, 2 },
        { ReadModelProvider.PostgreSQL, 1 },
        { ReadModelProvider.PostgreSQL, 2 },
    };

    [Theory]
    [MemberData(nameof(Mixes))]
    public async Task Kept_counts_equal_counting_the_rows_after_a_random_mix_of_writes(ReadModelProvider provider, int seed)
    {
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        var random = new Random(seed);
        await ApplyRandomWritesAsync(database, random, operations: 300);

        await using var db = await database.Contexts.CreateDbContextAsync();
        foreach (var (from, to) in Windows(random))
        {
            foreach (var workflow in new string?[] { null, "batch-job" })
            {
                foreach (var reason in new StopReasonClass?[] { null, StopReasonClass.OutOfMemory })
                {
                    var kept = await ExecutionCounts.ReadAsync(db, workflow, reason, from, to, CancellationToken.None);
                    var counted = await CountRowsAsync(db, workflow, reason, from, to);
                    Assert.True(
                        Normalize(kept).SequenceEqual(Normalize(counted)),
                        $"{provider} seed {seed}, workflow {workflow ?? "any"}, reason {reason?.ToString() ?? "any"}, {from:O}..{to:O}: kept [{string.Join(", ", Normalize(kept))}] but counting gives [{string.Join(", ", Normalize(counted))}]");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public async Task The_executions_page_shows_the_counts_of_the_rows_it_lists(ReadModelProvider provider, int seed)
    {
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        await ApplyRandomWritesAsync(database, new Random(seed), operations: 150);
        var queries = new ExecutionQueries(database.Contexts, new FakeTimeProvider(Now));

        foreach (var filter in new[] { new ExecutionsFilter(), new ExecutionsFilter { Range = "24h" }, new ExecutionsFilter { Workflow = "nightly-batch", Range = "7d" }, new ExecutionsFilter { Search = "job-1" } })
        {
            var page = await queries.GetPageAsync(filter with { PageSize = 100 }, CancellationToken.None);
            await using var db = await database.Contexts.CreateDbContextAsync();
            foreach (var status in Statuses.Append(ExecutionsFilter.Redrivable))
            {
                var expected = await queries.Matching(db, filter with { Status = status }).CountAsync();
                Assert.Equal(expected, page.CountsByStatus.GetValueOrDefault(status));
            }

            Assert.Equal(await queries.Matching(db, filter).CountAsync(), page.Total);
        }
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public async Task Kept_stopped_task_counts_equal_counting_the_rows_after_a_random_mix_of_writes(ReadModelProvider provider, int seed)
    {
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        var random = new Random(seed);
        var arns = new List<string>();
        for (var op = 0; op < 250; op++)
        {
            await using var write = await database.Contexts.CreateDbContextAsync();
            var roll = random.Next(100);
            if (roll < 60 || arns.Count == 0)
            {
                var arn = $"arn:aws:ecs:us-east-1:000000000000:task/batch/{op:x8}";
                write.StoppedTasks.Add(new StoppedTaskRecord
                {
                    TaskArn = arn,
                    ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/batch",
                    Family = random.Next(5) == 0 ? null : Families[random.Next(Families.Length)],
                    ExitCode = random.Next(4) == 0 ? null : ExitCodes[random.Next(ExitCodes.Length)],
                    ReasonClass = (StopReasonClass)random.Next(0, 10),
                    StoppedAt = Now.AddMinutes(-random.Next(0, 4 * 24 * 60)).AddMilliseconds(-random.Next(60_000)),
                    CapturedAt = Now,
                });
                arns.Add(arn);
            }
            else
            {
                // The capture only inserts; the update and delete triggers still keep the counts right if rows change or are pruned.
                var arn = arns[random.Next(arns.Count)];
                var task = await write.StoppedTasks.SingleAsync(t => t.TaskArn == arn);
                switch (roll)
                {
                    case < 75: task.ExitCode = random.Next(2) == 0 ? null : ExitCodes[random.Next(ExitCodes.Length)]; break;
                    case < 85: task.ReasonClass = (StopReasonClass)random.Next(0, 10); task.Family = Families[random.Next(Families.Length)]; break;
                    case < 92: task.StoppedAt = task.StoppedAt.AddMinutes(random.Next(-600, 600)); break;
                    default: write.StoppedTasks.Remove(task); arns.Remove(arn); break;
                }
            }

            await write.SaveChangesAsync();
        }

        await using var db = await database.Contexts.CreateDbContextAsync();
        foreach (var (from, to) in Windows(random))
        {
            foreach (var (reason, exit, family) in new (StopReasonClass?, int?, string?)[] { (null, null, null), (StopReasonClass.OutOfMemory, null, null), (null, 137, null), (null, null, "worker"), (StopReasonClass.ApplicationExit, 1, "worker") })
            {
                var kept = await StoppedTaskCounts.ReadAsync(db, reason, exit, family, from, to, CancellationToken.None);
                var rows = db.StoppedTasks.AsNoTracking();
                rows = reason is { } r ? rows.Where(t => t.ReasonClass == r) : rows;
                rows = exit is { } e ? rows.Where(t => t.ExitCode == e) : rows;
                rows = family is null ? rows : rows.Where(t => t.Family == family);
                rows = from is { } f ? rows.Where(t => t.StoppedAt >= f) : rows;
                rows = to is { } t2 ? rows.Where(t => t.StoppedAt <= t2) : rows;
                var counted = await rows.LongCountAsync();
                Assert.True(kept == counted, $"{provider} seed {seed}, reason {reason?.ToString() ?? "any"}, exit {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any"}, family {family ?? "any"}, {from:O}..{to:O}: kept {kept} but counting gives {counted}");
            }
        }

        var families = await db.StoppedTasks.Where(t => t.Family != null).Select(t => t.Family!).Distinct().ToListAsync();
        Assert.Equal(families.Order(StringComparer.Ordinal), await StoppedTaskCounts.FamiliesAsync(db, CancellationToken.None));
    }

    private static readonly string[] Families = ["worker", "worker-large", "importer"];
    private static readonly int[] ExitCodes = [0, 1, 2, 137, 143];

    /// <summary>Open, half-open and arbitrary windows: partial hours and days at both ends, windows inside one hour, and across days.</summary>
    private static List<(DateTimeOffset? From, DateTimeOffset? To)> Windows(Random random)
    {
        var windows = new List<(DateTimeOffset? From, DateTimeOffset? To)> { (null, null), (Now.AddHours(-1), null), (Now.AddDays(-2), null), (null, Now.AddHours(-5)) };
        for (var i = 0; i < 12; i++)
        {
            var a = Now.AddMinutes(-random.Next(0, 4 * 24 * 60)).AddSeconds(-random.Next(60));
            var b = a.AddMinutes(random.Next(0, 3 * 24 * 60));
            windows.Add((a, b));
        }

        return windows;
    }

    private static async Task ApplyRandomWritesAsync(ReadModelDatabase database, Random random, int operations)
    {
        var arns = new List<string>();
        for (var op = 0; op < operations; op++)
        {
            await using var db = await database.Contexts.CreateDbContextAsync();
            var roll = random.Next(100);
            if (roll < 45 || arns.Count == 0)
            {
                var workflow = Workflows[random.Next(Workflows.Length)];
                var name = $"job-{op}";
                var arn = $"arn:aws:states:us-east-1:000000000000:execution:{workflow}:{name}";
                var status = Statuses[random.Next(Statuses.Length)];
                db.Executions.Add(new ExecutionRecord
                {
                    Arn = arn,
                    StateMachineArn = $"arn:aws:states:us-east-1:000000000000:stateMachine:{workflow}",
                    StateMachineName = workflow,
                    Name = name,
                    Status = status,
                    StartDate = Now.AddMinutes(-random.Next(0, 4 * 24 * 60)).AddMilliseconds(-random.Next(60_000)),
                    RedriveStatus = status is "FAILED" or "TIMED_OUT" or "ABORTED" ? (random.Next(2) == 0 ? "REDRIVABLE" : "NOT_REDRIVABLE") : null,
                    ReasonClass = random.Next(3) == 0 ? (StopReasonClass)random.Next(1, 8) : null,
                    UpdatedAt = Now,
                });
                arns.Add(arn);
            }
            else
            {
                var arn = arns[random.Next(arns.Count)];
                var execution = await db.Executions.SingleAsync(e => e.Arn == arn);
                switch (roll)
                {
                    case < 65:
                        // The sync sees it end (or run again) and learns whether it can be redriven.
                        execution.Status = Statuses[random.Next(Statuses.Length)];
                        execution.RedriveStatus = execution.Status is "FAILED" or "TIMED_OUT" or "ABORTED" ? "REDRIVABLE" : null;
                        break;
                    case < 75:
                        // A redrive: running again, no longer redrivable until it fails again.
                        execution.Status = "RUNNING";
                        execution.RedriveCount++;
                        execution.RedriveStatus = "NOT_REDRIVABLE";
                        break;
                    case < 85:
                        execution.ReasonClass = random.Next(2) == 0 ? null : (StopReasonClass)random.Next(1, 8);
                        break;
                    case < 92:
                        // Only what the counts do not depend on: the triggers must leave them alone.
                        execution.EcsTaskCount++;
                        execution.UpdatedAt = Now;
                        break;
                    default:
                        db.Executions.Remove(execution);
                        arns.Remove(arn);
                        break;
                }
            }

            await db.SaveChangesAsync();
        }
    }

    private static async Task<List<StatusCount>> CountRowsAsync(ReadModelDbContext db, string? workflow, StopReasonClass? reason, DateTimeOffset? from, DateTimeOffset? to)
    {
        var rows = db.Executions.AsNoTracking();
        rows = workflow is null ? rows : rows.Where(e => e.StateMachineName == workflow);
        rows = reason is null ? rows : rows.Where(e => e.ReasonClass == reason);
        rows = from is { } f ? rows.Where(e => e.StartDate >= f) : rows;
        rows = to is { } t ? rows.Where(e => e.StartDate <= t) : rows;
        var all = await rows.Select(e => new { e.Status, e.RedriveStatus }).ToListAsync();
        return [.. all.GroupBy(e => (e.Status, ExecutionCounts.IsRedrivable(e.Status, e.RedriveStatus))).Select(g => new StatusCount(g.Key.Status, g.Key.Item2, g.Count()))];
    }

    private static List<string> Normalize(IEnumerable<StatusCount> counts) =>
        [.. counts.Where(c => c.Count != 0).OrderBy(c => c.Status, StringComparer.Ordinal).ThenBy(c => c.Redrivable).Select(c => $"{c.Status}/{(c.Redrivable ? "R" : "-")}={c.Count}")];
}
