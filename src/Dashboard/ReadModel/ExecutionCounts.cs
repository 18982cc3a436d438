using BatchOps.Contracts.StopReasons;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>One group of the executions page's counts: a status, whether those executions are redrivable, how many.</summary>
public sealed record StatusCount(string Status, bool Redrivable, long Count);

/// <summary>
/// The executions page's counts without counting the executions table (see <see cref="KeptCounts"/>): per workflow,
/// status, redrivability and reason class, over all time, per day and per hour of the start date.
/// The migration ExecutionCountsAndNameSearch runs the SQL below.
/// </summary>
public static class ExecutionCounts
{
    public static KeptCounts Table { get; } = new(
        "execution_counts",
        "executions",
        "StartDate",
        "batchops_execution_counts",
        [
            new("Workflow", "{0}.\"StateMachineName\"", "{0}.\"StateMachineName\"", "StateMachineName"),
            new("Status", "{0}.\"Status\"", "{0}.\"Status\"", "Status"),
            new(
                "Redrivable",
                "CASE WHEN {0}.\"RedriveStatus\" = 'REDRIVABLE' AND {0}.\"Status\" IN ('FAILED', 'TIMED_OUT', 'ABORTED') THEN 1 ELSE 0 END",
                "({0}.\"RedriveStatus\" IS NOT DISTINCT FROM 'REDRIVABLE' AND {0}.\"Status\" IN ('FAILED', 'TIMED_OUT', 'ABORTED'))",
                "Status",
                "RedriveStatus"),
            new("Reason", "COALESCE({0}.\"ReasonClass\", '')", "COALESCE({0}.\"ReasonClass\", '')", "ReasonClass"),
        ]);

    /// <summary>Counts per status and redrivability of the executions of <paramref name="workflow"/> (or all) with <paramref name="reason"/> (or any) started within [from, to].</summary>
    public static async Task<IReadOnlyList<StatusCount>> ReadAsync(ReadModelDbContext db, string? workflow, StopReasonClass? reason, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var reasonText = reason?.ToString();
        var buckets = db.ExecutionCounts.AsNoTracking();
        if (workflow is not null)
        {
            buckets = buckets.Where(c => c.Workflow == workflow);
        }

        if (reasonText is not null)
        {
            buckets = buckets.Where(c => c.Reason == reasonText);
        }

        var parts = new List<StatusCount>();
        foreach (var part in KeptCounts.Split(from, to))
        {
            if (part is BucketRange range)
            {
                parts.AddRange(await range.Of(buckets).GroupBy(c => new { c.Status, c.Redrivable })
                    .Select(g => new StatusCount(g.Key.Status, g.Key.Redrivable, g.Sum(c => c.Count)))
                    .ToListAsync(cancellationToken).ConfigureAwait(false));
            }
            else if (part is RowRange(var start, var end, var endInclusive))
            {
                var rows = endInclusive
                    ? db.Executions.AsNoTracking().Where(e => e.StartDate >= start && e.StartDate <= end)
                    : db.Executions.AsNoTracking().Where(e => e.StartDate >= start && e.StartDate < end);
                rows = workflow is null ? rows : rows.Where(e => e.StateMachineName == workflow);
                rows = reason is { } r ? rows.Where(e => e.ReasonClass == r) : rows;
                parts.AddRange((await rows.GroupBy(e => new { e.Status, e.RedriveStatus }).Select(g => new { g.Key.Status, g.Key.RedriveStatus, Count = g.LongCount() })
                    .ToListAsync(cancellationToken).ConfigureAwait(false))
                    .Select(g => new StatusCount(g.Status, IsRedrivable(g.Status, g.RedriveStatus), g.Count)));
            }
        }

        return [.. parts.GroupBy(p => (p.Status, p.Redrivable)).Select(g => new StatusCount(g.Key.Status, g.Key.Redrivable, g.Sum(p => p.Count))).Where(c => c.Count != 0)];
    }

    public static bool IsRedrivable(string status, string? redriveStatus) =>
        redriveStatus == "REDRIVABLE" && status is "FAILED" or "TIMED_OUT" or "ABORTED";
}
