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

/// <param name="Capped">
/// A name search matched more than the cap (<see cref="ExecutionQueries.DefaultSearchCountCap"/>) executions: <see cref="Total"/> is that
/// cap (a lower bound), the counts per status are not known, and the page count is the cap's.
/// </param>
public sealed record ExecutionPage(IReadOnlyList<ExecutionRow> Rows, int Total, IReadOnlyDictionary<string, int> CountsByStatus, int Page, int PageCount, bool Capped = false);

/// <summary>The executions list's read-model queries (the seam component tests fake).</summary>
public interface IExecutionQueries
{
    Task<ExecutionPage> GetPageAsync(ExecutionsFilter filter, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> GetWorkflowNamesAsync(CancellationToken cancellationToken);
}

/// <summary>The executions list's queries against the read model (never against AWS).</summary>
/// <param name="searchCountCap">
/// A name search counts its matches exactly up to this many (<see cref="DefaultSearchCountCap"/>). A term in a large
/// share of all names ("import") would otherwise read every match to count them; past the cap the page says "5,000+"
/// and reads its rows in page order.
/// </param>
public sealed class ExecutionQueries(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time, int searchCountCap = ExecutionQueries.DefaultSearchCountCap) : IExecutionQueries
{
    public const int DefaultSearchCountCap = 5_000;

    public async Task<ExecutionPage> GetPageAsync(ExecutionsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // One "now" for the counts and the rows, so a window ending now is the same window for both.
        var window = filter.Window(time.GetUtcNow());
        var scoped = ApplyScope(db, filter, window);
        if (filter.Search is not null && await CountUpToCapAsync(db, filter, window, cancellationToken).ConfigureAwait(false) > searchCountCap)
        {
            return await CappedSearchPageAsync(db, filter, window, cancellationToken).ConfigureAwait(false);
        }

        // Counts per status use every filter but the status itself, so the pills say what clicking them will show. They
        // come from the counts the database keeps as executions are written; only a name search counts its matches.
        var counts = await CountAsync(db, scoped, filter, window, cancellationToken).ConfigureAwait(false);
        var byStatus = counts.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => (int)g.Sum(c => c.Count), StringComparer.Ordinal);
        byStatus[ExecutionsFilter.Redrivable] = (int)counts.Where(c => c.Redrivable).Sum(c => c.Count);

        var filtered = WithStatus(scoped, filter);
        var total = filter.Status is null ? (int)counts.Sum(c => c.Count) : byStatus.GetValueOrDefault(filter.Status);
        var pageCount = Math.Max(1, (int)Math.Ceiling(total / (double)filter.PageSize));
        var page = Math.Min(filter.Page, pageCount);

        var rows = await Rows(filtered, filter, page).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ExecutionPage(rows, total, byStatus, page, pageCount);
    }

    /// <summary>How many executions the search matches, counting no further than one past the cap.</summary>
    /// <remarks>
    /// SQLite streams the trigram index's matches and stops at the LIMIT. PostgreSQL's planner takes the pg_trgm bitmap,
    /// which reads every match's trigrams whatever the LIMIT (about 20 ms for a sixth of a million names); asking for
    /// start-date order instead made it scan the date index with a filter, three times slower (measured).
    /// </remarks>
    private Task<int> CountUpToCapAsync(ReadModelDbContext db, ExecutionsFilter filter, (DateTimeOffset? From, DateTimeOffset? To) window, CancellationToken cancellationToken) =>
        ApplyScope(db, filter, window, NameSearchPlan.Streaming).Take(searchCountCap + 1).CountAsync(cancellationToken);

    private async Task<ExecutionPage> CappedSearchPageAsync(ReadModelDbContext db, ExecutionsFilter filter, (DateTimeOffset? From, DateTimeOffset? To) window, CancellationToken cancellationToken)
    {
        // So common a term that scanning in page order finds a page of matches within a few hundred rows; going through
        // the trigram index would read and sort every match first.
        var scoped = ApplyScope(db, filter, window, NameSearchPlan.Scan);
        var filtered = WithStatus(scoped, filter);
        var pageCount = Math.Max(1, (int)Math.Ceiling(searchCountCap / (double)filter.PageSize));
        var page = Math.Min(filter.Page, pageCount);
        var rows = await Rows(filtered, filter, page).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ExecutionPage(rows, searchCountCap, new Dictionary<string, int>(StringComparer.Ordinal), page, pageCount, Capped: true);
    }

    /// <summary>The query that read the rows of <paramref name="page"/> (the bench prints its plan).</summary>
    public IQueryable<ExecutionRow> RowsQuery(ReadModelDbContext db, ExecutionsFilter filter, ExecutionPage page)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(page);
        return Rows(WithStatus(ApplyScope(db, filter, filter.Window(time.GetUtcNow()), page.Capped ? NameSearchPlan.Scan : NameSearchPlan.Indexed), filter), filter, page.Page);
    }

    private static IQueryable<ExecutionRecord> WithStatus(IQueryable<ExecutionRecord> scoped, ExecutionsFilter filter) => filter.Status switch
    {
        null => scoped,
        ExecutionsFilter.Redrivable => Redrivable(scoped),
        var s => scoped.Where(e => e.Status == s),
    };

    private static IQueryable<ExecutionRow> Rows(IQueryable<ExecutionRecord> filtered, ExecutionsFilter filter, int page) =>
        Sort(filtered, filter)
            .Skip((page - 1) * filter.PageSize)
            .Take(filter.PageSize)
            .Select(e => new ExecutionRow(e.Arn, e.Name, e.StateMachineName, e.Status, e.StartDate, e.StopDate, e.RedriveCount, e.RedriveStatus, e.ReasonClass, e.EcsTaskCount, e.Error));

    /// <summary>Every execution the filter selects (status included), unsorted: what a bulk action over the filter covers.</summary>
    public IQueryable<ExecutionRecord> Matching(ReadModelDbContext db, ExecutionsFilter filter)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(filter);
        var scoped = ApplyScope(db, filter, filter.Window(time.GetUtcNow()));
        return WithStatus(scoped, filter);
    }

    public async Task<IReadOnlyList<string>> GetWorkflowNamesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.StateMachines.AsNoTracking().OrderBy(m => m.Name).Select(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<StatusCount>> CountAsync(ReadModelDbContext db, IQueryable<ExecutionRecord> scoped, ExecutionsFilter filter, (DateTimeOffset? From, DateTimeOffset? To) window, CancellationToken cancellationToken)
    {
        if (filter.Search is null)
        {
            return await ExecutionCounts.ReadAsync(db, filter.Workflow, filter.Reason, window.From, window.To, cancellationToken).ConfigureAwait(false);
        }

        var grouped = await scoped
            .GroupBy(e => new { e.Status, e.RedriveStatus })
            .Select(g => new { g.Key.Status, g.Key.RedriveStatus, Count = g.LongCount() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. grouped.Select(g => new StatusCount(g.Status, ExecutionCounts.IsRedrivable(g.Status, g.RedriveStatus), g.Count))];
    }

    private static IQueryable<ExecutionRecord> ApplyScope(ReadModelDbContext db, ExecutionsFilter filter, (DateTimeOffset? From, DateTimeOffset? To) window, NameSearchPlan plan = NameSearchPlan.Indexed)
    {
        var query = ExecutionNameSearch.Source(db, filter.Search, plan).AsNoTracking();
        if (filter.Workflow is { } workflow)
        {
            query = query.Where(e => e.StateMachineName == workflow);
        }

        if (filter.Reason is { } reason)
        {
            query = query.Where(e => e.ReasonClass == reason);
        }

        var (from, to) = window;
        if (from is { } f)
        {
            query = query.Where(e => e.StartDate >= f);
        }

        if (to is { } t)
        {
            query = query.Where(e => e.StartDate <= t);
        }

        return filter.Search is { } search ? ExecutionNameSearch.Containing(db, query, search) : query;
    }

    // RedriveStatus = 'REDRIVABLE' is the partial index's filter (IX_executions_Redrivable), which SQLite matches term by
    // term; the status test goes through an expression (Status || '') so SQLite's planner does not prefer the status index
    // and sort every redrivable row instead of reading the partial index newest first.
    private static IQueryable<ExecutionRecord> Redrivable(IQueryable<ExecutionRecord> query) =>
        query.Where(e => e.RedriveStatus == ExecutionRedriveStatus.REDRIVABLE && new[] { ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED }.Contains(e.Status + ""));

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
