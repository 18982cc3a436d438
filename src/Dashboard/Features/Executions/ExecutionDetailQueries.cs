using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Executions;

/// <summary>Everything the read model holds about one execution (the detail page builds its models from it).</summary>
public sealed record ExecutionDetail(
    ExecutionRecord Execution,
    IReadOnlyList<TaskRunRecord> TaskRuns,
    IReadOnlyList<RedriveRecord> Redrives,
    IReadOnlyDictionary<string, StoppedTaskRecord> StoppedTasks,
    LinkedExecution? RerunOf,
    IReadOnlyList<LinkedExecution> Reruns,
    LinkedExecution? Parent,
    IReadOnlyList<LinkedExecution> Children,
    IReadOnlyList<HistoryEvent> Events,
    DateTimeOffset? HistoryFetchedAt);

/// <summary>The detail page's read-model query (the seam component tests fake).</summary>
public interface IExecutionDetailQueries
{
    Task<ExecutionDetail?> GetAsync(string executionArn, CancellationToken cancellationToken);
}

/// <summary>Re-reads one execution from AWS into the read model (the seam component tests fake). False when AWS no longer knows it.</summary>
public interface IExecutionRefresher
{
    Task<bool> RefreshAsync(string executionArn, CancellationToken cancellationToken);
}

public sealed class ExecutionDetailQueries(IDbContextFactory<ReadModelDbContext> contexts) : IExecutionDetailQueries
{
    public async Task<ExecutionDetail?> GetAsync(string executionArn, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var execution = await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Arn == executionArn, cancellationToken).ConfigureAwait(false);
        if (execution is null)
        {
            return null;
        }

        var runs = await db.TaskRuns.AsNoTracking().Where(r => r.ExecutionArn == executionArn).OrderBy(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var redrives = await db.Redrives.AsNoTracking().Where(r => r.ExecutionArn == executionArn).OrderBy(r => r.RedriveCount).ToListAsync(cancellationToken).ConfigureAwait(false);
        // Through this execution's task runs (their index, then the stopped tasks' key): a list of thousands of task ARNs
        // as a parameter makes SQLite scan every stopped task instead.
        var stopped = await db.TaskRuns.AsNoTracking().Where(r => r.ExecutionArn == executionArn)
            .Join(db.StoppedTasks.AsNoTracking(), r => r.TaskArn, t => t.TaskArn, (r, t) => t)
            .Distinct()
            .ToDictionaryAsync(t => t.TaskArn, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);

        var linkedArns = new List<string>();
        if (execution.RerunOfArn is { } rerunOf)
        {
            linkedArns.Add(rerunOf);
        }

        var childArns = runs.Where(r => r.ChildExecutionArn != null).Select(r => r.ChildExecutionArn!).Distinct().ToList();
        linkedArns.AddRange(childArns);
        var parentArn = await db.TaskRuns.AsNoTracking().Where(r => r.ChildExecutionArn == executionArn).Select(r => r.ExecutionArn).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (parentArn is not null)
        {
            linkedArns.Add(parentArn);
        }

        // Two lookups, each on its own index: by key, and the re-runs by the partial index of RerunOfArn (an OR of the two
        // makes SQLite scan every execution).
        var linked = linkedArns.Count == 0 ? [] : await db.Executions.AsNoTracking().Where(e => linkedArns.Contains(e.Arn))
            .Select(e => new LinkedExecution(e.Arn, e.Name, e.StateMachineName, e.Status, e.StartDate))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var reruns = await db.Executions.AsNoTracking().Where(e => e.RerunOfArn == executionArn)
            .Select(e => new LinkedExecution(e.Arn, e.Name, e.StateMachineName, e.Status, e.StartDate))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        LinkedExecution? Find(string? arn) => arn is null ? null : linked.FirstOrDefault(l => l.Arn == arn) ?? new LinkedExecution(arn, NameOf(arn), "", "UNKNOWN", default);

        var history = await db.Histories.AsNoTracking().FirstOrDefaultAsync(h => h.ExecutionArn == executionArn, cancellationToken).ConfigureAwait(false);
        var events = history is null ? [] : await StoredHistory.ReadAsync(db, executionArn, history.EventCount, cancellationToken).ConfigureAwait(false);

        return new ExecutionDetail(
            execution,
            runs,
            redrives,
            stopped,
            Find(execution.RerunOfArn),
            [.. reruns.OrderBy(l => l.StartDate)],
            Find(parentArn),
            [.. childArns.Select(a => Find(a)!)],
            events,
            history?.FetchedAt);
    }

    public static string NameOf(string executionArn) => executionArn[(executionArn.LastIndexOf(':') + 1)..];
}
