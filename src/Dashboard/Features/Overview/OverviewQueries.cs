using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Overview;

public sealed record FailureCount(string Workflow, StopReasonClass? ReasonClass, int Count);

public sealed record RecentRedrive(string ExecutionArn, string ExecutionName, string Workflow, int RedriveCount, DateTimeOffset RedrivenAt, string Status);

public sealed record OverviewData(
    IReadOnlyList<FailureCount> Failures,
    IReadOnlyList<ExecutionRow> Running,
    IReadOnlyList<RecentRedrive> Redrives,
    int Succeeded24h,
    int Failed24h,
    DateTimeOffset Since);

/// <summary>The overview's read-model query (the seam component tests fake).</summary>
public interface IOverviewQueries
{
    Task<OverviewData> GetAsync(CancellationToken cancellationToken);
}

public sealed class OverviewQueries(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time) : IOverviewQueries
{
    public static readonly IReadOnlyList<string> FailedStatuses = [ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED];

    public async Task<OverviewData> GetAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow().AddHours(-24);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var recent = db.Executions.AsNoTracking().Where(e => e.StartDate >= since);
        var failures = await recent.Where(e => e.Status == ExecutionStatus.FAILED || e.Status == ExecutionStatus.TIMED_OUT || e.Status == ExecutionStatus.ABORTED)
            .GroupBy(e => new { e.StateMachineName, e.ReasonClass })
            .Select(g => new FailureCount(g.Key.StateMachineName, g.Key.ReasonClass, g.Count()))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var succeeded = await recent.CountAsync(e => e.Status == ExecutionStatus.SUCCEEDED, cancellationToken).ConfigureAwait(false);
        var running = await db.Executions.AsNoTracking().Where(e => e.Status == ExecutionStatus.RUNNING).OrderByDescending(e => e.StartDate).Take(20)
            .Select(e => new ExecutionRow(e.Arn, e.Name, e.StateMachineName, e.Status, e.StartDate, e.StopDate, e.RedriveCount, e.RedriveStatus, e.ReasonClass, e.EcsTaskCount, e.Error))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var redrives = await db.Redrives.AsNoTracking().OrderByDescending(r => r.RedrivenAt).Take(10)
            .Join(db.Executions, r => r.ExecutionArn, e => e.Arn, (r, e) => new RecentRedrive(e.Arn, e.Name, e.StateMachineName, r.RedriveCount, r.RedrivenAt, e.Status))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new OverviewData(
            [.. failures.OrderByDescending(f => f.Count).ThenBy(f => f.Workflow, StringComparer.Ordinal)],
            running,
            redrives,
            succeeded,
            failures.Sum(f => f.Count),
            since);
    }
}
