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
        var query = db.StoppedTasks.AsNoTracking();
        if (filter.Reason is { } reason)
        {
            query = query.Where(t => t.ReasonClass == reason);
        }

        if (filter.ExitCode is { } exit)
        {
            query = query.Where(t => t.ExitCode == exit);
        }

        if (filter.Family is { } family)
        {
            query = query.Where(t => t.Family == family);
        }

        var (from, to) = filter.Window(time.GetUtcNow());
        if (from is { } f)
        {
            query = query.Where(t => t.StoppedAt >= f);
        }

        if (to is { } t2)
        {
            query = query.Where(t => t.StoppedAt <= t2);
        }

        var total = await query.CountAsync(cancellationToken).ConfigureAwait(false);
        var pageCount = Math.Max(1, (int)Math.Ceiling(total / (double)filter.PageSize));
        var page = Math.Min(filter.Page, pageCount);
        var tasks = await query.OrderByDescending(t => t.StoppedAt).ThenBy(t => t.TaskArn)
            .Skip((page - 1) * filter.PageSize).Take(filter.PageSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        var arns = tasks.Select(t => t.TaskArn).ToList();
        var runs = await db.TaskRuns.AsNoTracking().Where(r => r.TaskArn != null && arns.Contains(r.TaskArn))
            .Join(db.Executions, r => r.ExecutionArn, e => e.Arn, (r, e) => new { r.TaskArn, e.Arn, e.Name, r.StateName, r.Attempt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byTask = runs.GroupBy(r => r.TaskArn!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var families = await db.StoppedTasks.AsNoTracking().Where(t => t.Family != null).Select(t => t.Family!).Distinct().OrderBy(f => f).ToListAsync(cancellationToken).ConfigureAwait(false);
        var rows = tasks.Select(t =>
        {
            var run = byTask.GetValueOrDefault(t.TaskArn);
            return new StoppedTaskRow(t.TaskArn, t.Family, t.StopCode, t.ExitCode, t.StoppedReason, t.ContainerReason, t.StoppedAt, t.ReasonClass, t.Retryable, t.StartedBy, run?.Arn, run?.Name, run?.StateName, run?.Attempt);
        }).ToList();
        return new StoppedTaskPage(rows, total, page, pageCount, families);
    }
}
