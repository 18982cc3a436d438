using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.StoppedTasks;

/// <summary>A stopped ECS task as the page lists it, with the execution that ran it when the history says so.</summary>
public sealed record StoppedTaskRow(
    string TaskArn,
    string? Family,
    string? StopCode,
    int? ExitCode,
    string? StoppedReason,
    string? ContainerReason,
    DateTimeOffset StoppedAt,
    StopReasonClass ReasonClass,
    bool Retryable,
    string? StartedBy,
    string? ExecutionArn,
    string? ExecutionName,
    string? StateName,
    int? Attempt)
{
    public string TaskId => TaskArn[(TaskArn.LastIndexOf('/') + 1)..];
}

public sealed record StoppedTaskPage(IReadOnlyList<StoppedTaskRow> Rows, int Total, int Page, int PageCount, IReadOnlyList<string> Families);

/// <summary>The stopped-tasks page's read-model query (the seam component tests fake).</summary>
public interface IStoppedTaskQueries
{
    Task<StoppedTaskPage> GetPageAsync(StoppedTasksFilter filter, CancellationToken cancellationToken);
}

/// <summary>Stopped ECS tasks from the read model, each with the execution that ran it when the history says so.</summary>
public sealed class StoppedTaskQueries(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time) : IStoppedTaskQueries
{
    public async Task<StoppedTaskPage> GetPageAsync(StoppedTasksFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var (from, to) = filter.Window(time.GetUtcNow());

        // The total from the kept counts: counting a year of stopped tasks row by row would grow with the table.
        var total = (int)Math.Min(int.MaxValue, await StoppedTaskCounts.ReadAsync(db, filter.Reason, filter.ExitCode, filter.Family, from, to, cancellationToken).ConfigureAwait(false));
        var pageCount = Math.Max(1, (int)Math.Ceiling(total / (double)filter.PageSize));
        var page = Math.Min(filter.Page, pageCount);
        var tasks = await RowsQuery(db, filter, from, to, page).ToListAsync(cancellationToken).ConfigureAwait(false);

        var arns = tasks.Select(t => t.TaskArn).ToList();
        var runs = await db.TaskRuns.AsNoTracking().Where(r => r.TaskArn != null && arns.Contains(r.TaskArn))
            .Join(db.Executions, r => r.ExecutionArn, e => e.Arn, (r, e) => new { r.TaskArn, e.Arn, e.Name, r.StateName, r.Attempt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byTask = runs.GroupBy(r => r.TaskArn!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var families = await StoppedTaskCounts.FamiliesAsync(db, cancellationToken).ConfigureAwait(false);
        var rows = tasks.Select(t =>
        {
            var run = byTask.GetValueOrDefault(t.TaskArn);
            return new StoppedTaskRow(t.TaskArn, t.Family, t.StopCode, t.ExitCode, t.StoppedReason, t.ContainerReason, t.StoppedAt, t.ReasonClass, t.Retryable, t.StartedBy, run?.Arn, run?.Name, run?.StateName, run?.Attempt);
        }).ToList();
        return new StoppedTaskPage(rows, total, page, pageCount, families);
    }

    /// <summary>One page of the stopped tasks the filter selects, newest first (the bench prints its plan).</summary>
    public static IQueryable<StoppedTaskRecord> RowsQuery(ReadModelDbContext db, StoppedTasksFilter filter, DateTimeOffset? from, DateTimeOffset? to, int page)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(filter);
        var query = db.StoppedTasks.AsNoTracking();
        query = filter.Reason is { } reason ? query.Where(t => t.ReasonClass == reason) : query;
        query = filter.ExitCode is { } exit ? query.Where(t => t.ExitCode == exit) : query;
        query = filter.Family is { } family ? query.Where(t => t.Family == family) : query;
        query = from is { } f ? query.Where(t => t.StoppedAt >= f) : query;
        query = to is { } until ? query.Where(t => t.StoppedAt <= until) : query;
        return query.OrderByDescending(t => t.StoppedAt).ThenByDescending(t => t.TaskArn).Skip((page - 1) * filter.PageSize).Take(filter.PageSize);
    }
}
