using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Executions;

public sealed record ExecutionRow(
    string Arn,
    string Name,
    string Workflow,
    string Status,
    DateTimeOffset StartDate,
    DateTimeOffset? StopDate,
    int RedriveCount,
    string? RedriveStatus,
    StopReasonClass? ReasonClass,
    int EcsTaskCount,
    string? Error);

public sealed record ExecutionPage(IReadOnlyList<ExecutionRow> Rows, int Total, IReadOnlyDictionary<string, int> CountsByStatus, int Page, int PageCount);

/// <summary>The executions list's read-model queries (the seam component tests fake).</summary>
public interface IExecutionQueries
{
    Task<ExecutionPage> GetPageAsync(ExecutionsFilter filter, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> GetWorkflowNamesAsync(CancellationToken cancellationToken);
}

/// <summary>The executions list's queries against the read model (never against AWS).</summary>
public sealed class ExecutionQueries(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time) : IExecutionQueries
{
    public async Task<ExecutionPage> GetPageAsync(ExecutionsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var scoped = ApplyScope(db, db.Executions.AsNoTracking(), filter);

        // Counts per status use every filter but the status itself, so the pills say what clicking them will show.
        // One grouped query gives them all, redrivable included.
        var counts = await scoped
            .GroupBy(e => new { e.Status, e.RedriveStatus })
            .Select(g => new { g.Key.Status, Redrivable = g.Key.RedriveStatus == ExecutionRedriveStatus.REDRIVABLE, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byStatus = counts.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Sum(c => c.Count), StringComparer.Ordinal);
        byStatus[ExecutionsFilter.Redrivable] = counts.Where(c => c.Redrivable && RedrivableStatuses.Contains(c.Status)).Sum(c => c.Count);

        var filtered = filter.Status switch
        {
            null => scoped,
            ExecutionsFilter.Redrivable => Redrivable(scoped),
            var s => scoped.Where(e => e.Status == s),
        };
        var total = filter.Status is null ? counts.Sum(c => c.Count) : byStatus.GetValueOrDefault(filter.Status);
        var pageCount = Math.Max(1, (int)Math.Ceiling(total / (double)filter.PageSize));
        var page = Math.Min(filter.Page, pageCount);

        var rows = await Sort(filtered, filter)
            .Skip((page - 1) * filter.PageSize)
            .Take(filter.PageSize)
            .Select(e => new ExecutionRow(e.Arn, e.Name, e.StateMachineName, e.Status, e.StartDate, e.StopDate, e.RedriveCount, e.RedriveStatus, e.ReasonClass, e.EcsTaskCount, e.Error))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ExecutionPage(rows, total, byStatus, page, pageCount);
    }

    /// <summary>Every execution the filter selects (status included), unsorted: what a bulk action over the filter covers.</summary>
    public IQueryable<ExecutionRecord> Matching(ReadModelDbContext db, ExecutionsFilter filter)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(filter);
        var scoped = ApplyScope(db, db.Executions.AsNoTracking(), filter);
        return filter.Status switch
        {
            null => scoped,
            ExecutionsFilter.Redrivable => Redrivable(scoped),
            var s => scoped.Where(e => e.Status == s),
        };
    }

    public async Task<IReadOnlyList<string>> GetWorkflowNamesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.StateMachines.AsNoTracking().OrderBy(m => m.Name).Select(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private IQueryable<ExecutionRecord> ApplyScope(ReadModelDbContext db, IQueryable<ExecutionRecord> query, ExecutionsFilter filter)
    {
        if (filter.Workflow is { } workflow)
        {
            query = query.Where(e => e.StateMachineName == workflow);
        }

        if (filter.Reason is { } reason)
        {
            query = query.Where(e => e.ReasonClass == reason);
        }

        var (from, to) = filter.Window(time.GetUtcNow());
        if (from is { } f)
        {
            query = query.Where(e => e.StartDate >= f);
        }

        if (to is { } t)
        {
            query = query.Where(e => e.StartDate <= t);
        }

        if (filter.Search is { } search)
        {
            var pattern = "%" + search.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = db.Database.IsNpgsql()
                ? query.Where(e => EF.Functions.ILike(e.Name, pattern, "\\"))
                : query.Where(e => EF.Functions.Like(e.Name, pattern, "\\"));
        }

        return query;
    }

    private static readonly string[] RedrivableStatuses = [ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED];

    private static IQueryable<ExecutionRecord> Redrivable(IQueryable<ExecutionRecord> query) =>
        query.Where(e => (e.Status == ExecutionStatus.FAILED || e.Status == ExecutionStatus.TIMED_OUT || e.Status == ExecutionStatus.ABORTED) && e.RedriveStatus == ExecutionRedriveStatus.REDRIVABLE);

    private static IOrderedQueryable<ExecutionRecord> Sort(IQueryable<ExecutionRecord> query, ExecutionsFilter filter) => (filter.Sort, filter.Descending) switch
    {
        ("stop", true) => query.OrderByDescending(e => e.StopDate).ThenByDescending(e => e.Arn),
        ("stop", false) => query.OrderBy(e => e.StopDate).ThenBy(e => e.Arn),
        ("name", true) => query.OrderByDescending(e => e.Name).ThenByDescending(e => e.StartDate),
        ("name", false) => query.OrderBy(e => e.Name).ThenByDescending(e => e.StartDate),
        ("workflow", true) => query.OrderByDescending(e => e.StateMachineName).ThenByDescending(e => e.StartDate),
        ("workflow", false) => query.OrderBy(e => e.StateMachineName).ThenByDescending(e => e.StartDate),
        ("status", true) => query.OrderByDescending(e => e.Status).ThenByDescending(e => e.StartDate),
        ("status", false) => query.OrderBy(e => e.Status).ThenByDescending(e => e.StartDate),
        (_, false) => query.OrderBy(e => e.StartDate).ThenBy(e => e.Arn),
        _ => query.OrderByDescending(e => e.StartDate).ThenByDescending(e => e.Arn),
    };
}
