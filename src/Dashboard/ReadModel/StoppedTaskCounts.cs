using BatchOps.Contracts.StopReasons;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>
/// The stopped-tasks page's total and its list of task definition families without reading the stopped_tasks table
/// (see <see cref="KeptCounts"/>): per family, reason class and exit code, over all time, per day and per hour of the
/// stop. The migration StoppedTaskCounts runs the SQL below.
/// </summary>
public static class StoppedTaskCounts
{
    /// <summary>The exit code a task without one is counted under (a key column cannot hold NULL).</summary>
    public const int NoExitCode = int.MinValue;

    public static KeptCounts Table { get; } = new(
        "stopped_task_counts",
        "stopped_tasks",
        "StoppedAt",
        "batchops_stopped_task_counts",
        [
            new("Family", "COALESCE({0}.\"Family\", '')", "COALESCE({0}.\"Family\", '')", "Family"),
            new("Reason", "{0}.\"ReasonClass\"", "{0}.\"ReasonClass\"", "ReasonClass"),
            new("ExitCode", "COALESCE({0}.\"ExitCode\", -2147483648)", "COALESCE({0}.\"ExitCode\", -2147483648)", "ExitCode"),
        ]);

    /// <summary>How many tasks with <paramref name="reason"/>, <paramref name="exitCode"/> and <paramref name="family"/> (each: or any) stopped within [from, to].</summary>
    public static async Task<long> ReadAsync(ReadModelDbContext db, StopReasonClass? reason, int? exitCode, string? family, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var reasonText = reason?.ToString();
        var buckets = db.StoppedTaskCounts.AsNoTracking();
        buckets = reasonText is null ? buckets : buckets.Where(c => c.Reason == reasonText);
        buckets = exitCode is { } code ? buckets.Where(c => c.ExitCode == code) : buckets;
        buckets = family is null ? buckets : buckets.Where(c => c.Family == family);

        var total = 0L;
        foreach (var part in KeptCounts.Split(from, to))
        {
            if (part is BucketRange range)
            {
                total += await range.Of(buckets).SumAsync(c => c.Count, cancellationToken).ConfigureAwait(false);
            }
            else if (part is RowRange(var start, var end, var endInclusive))
            {
                var rows = endInclusive
                    ? db.StoppedTasks.AsNoTracking().Where(t => t.StoppedAt >= start && t.StoppedAt <= end)
                    : db.StoppedTasks.AsNoTracking().Where(t => t.StoppedAt >= start && t.StoppedAt < end);
                rows = reason is { } r ? rows.Where(t => t.ReasonClass == r) : rows;
                rows = exitCode is { } e ? rows.Where(t => t.ExitCode == e) : rows;
                rows = family is null ? rows : rows.Where(t => t.Family == family);
                total += await rows.LongCountAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return total;
    }

    /// <summary>Every task definition family a stopped task has, sorted (from the all-time counts, a few rows per family).</summary>
    public static async Task<IReadOnlyList<string>> FamiliesAsync(ReadModelDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var families = await db.StoppedTaskCounts.AsNoTracking()
            .Where(c => c.Grain == KeptCounts.AllTime && c.Family != "" && c.Count > 0)
            .Select(c => c.Family).Distinct()
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        families.Sort(StringComparer.Ordinal);
        return families;
    }
}
