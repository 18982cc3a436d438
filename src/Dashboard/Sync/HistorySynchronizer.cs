using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Sync;

/// <summary>
/// Fetches DescribeExecution and the full GetExecutionHistory of executions that changed, and replaces their task
/// runs and redrives with what the history says. Opening an execution's page refreshes it the same way.
/// </summary>
public sealed partial class HistorySynchronizer(
    IAmazonStepFunctions stepFunctions,
    SecretRedactor redactor,
    IDbContextFactory<ReadModelDbContext> contexts,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ReadModelChanges changes,
    ILogger<HistorySynchronizer> logger) : IExecutionRefresher
{
    public const string CursorKey = "histories";

    /// <summary>The status of a row whose execution AWS no longer knows while we last saw it running.</summary>
    public const string ExpiredStatus = "EXPIRED";

    /// <summary>
    /// Fetches up to <see cref="SyncOptions.HistoryBatch"/> flagged executions: half the newest (a new failure shows at
    /// once), half the longest waiting (a long-running execution or an old redrive is never starved). One AWS will not
    /// give is retried with backoff and, after <see cref="SyncOptions.PoisonAfter"/> failures in a row, poisoned: left
    /// out of the sync and listed on /sync, so it never takes the others' turn. Returns how many were fetched.
    /// </summary>
    public async Task<int> SyncPendingAsync(CancellationToken cancellationToken)
    {
        var batch = options.Value.HistoryBatch;
        var poisonAfter = options.Value.PoisonAfter;
        var now = time.GetUtcNow();
        List<string> pending;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var due = db.Executions.AsNoTracking().Where(e => e.NeedsHistory && e.HistoryFailures < poisonAfter && (e.HistoryRetryAt == null || e.HistoryRetryAt <= now));
            var newest = await due.OrderByDescending(e => e.StartDate).Select(e => e.Arn).Take(batch - (batch / 2)).ToListAsync(cancellationToken).ConfigureAwait(false);
            var waiting = await due.OrderBy(e => e.UpdatedAt).Select(e => e.Arn).Take(batch).ToListAsync(cancellationToken).ConfigureAwait(false);
            pending = [.. newest.Concat(waiting).Distinct(StringComparer.Ordinal).Take(batch)];
        }

        var failures = new List<string>();
        foreach (var arn in pending)
        {
            try
            {
                await RefreshAsync(arn, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (!cancellationToken.IsCancellationRequested)
            {
                // One history AWS will not give (AccessDenied, KMS, throttling beyond retries) must not hold up the rest:
                // recorded against the execution, tried again after a backoff, poisoned after too many failures.
                var poisoned = await RecordFailureAsync(arn, $"{e.ErrorCode}: {e.ErrorMessage}", cancellationToken).ConfigureAwait(false);
                failures.Add($"{arn[(arn.LastIndexOf(':') + 1)..]}{(poisoned ? " (poisoned)" : string.Empty)}: {e.ErrorCode}: {e.ErrorMessage}");
            }
        }

        if (pending.Count > failures.Count)
        {
            // The workflow is the state machine's name, the execution ARN's seventh part.
            changes.Publish(ReadModelChangeKind.Executions, pending.Select(arn => arn.Split(':') is { Length: >= 8 } parts ? parts[6] : string.Empty).ToHashSet(StringComparer.Ordinal));
        }

        return failures.Count > 0
            ? throw new SyncPartlyFailedException($"Fetched {pending.Count - failures.Count} of {pending.Count} histories; could not fetch {string.Join("; ", failures)}")
            : pending.Count;
    }

    /// <summary>Counts a failed fetch, sets when to try again (the history interval, doubled per failure, at most an hour); true when it is now poisoned.</summary>
    private async Task<bool> RecordFailureAsync(string executionArn, string error, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Executions.FindAsync([executionArn], cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return false;
        }

        record.HistoryFailures++;
        var backoff = options.Value.HistoryInterval * Math.Pow(2, Math.Min(record.HistoryFailures - 1, 10));
        record.HistoryRetryAt = time.GetUtcNow() + (backoff > MaxHistoryBackoff ? MaxHistoryBackoff : backoff);
        record.HistoryError = StoredHistory.Cut(error, 990);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var poisoned = record.HistoryFailures >= options.Value.PoisonAfter;
        if (poisoned)
        {
            LogPoisoned(executionArn, record.HistoryFailures, error);
            changes.Publish(ReadModelChangeKind.SyncStatus);
        }

        return poisoned;
    }

    private static readonly TimeSpan MaxHistoryBackoff = TimeSpan.FromHours(1);

    /// <summary>Refreshes one execution from AWS. Returns false when AWS no longer knows it.</summary>
    public async Task<bool> RefreshAsync(string executionArn, CancellationToken cancellationToken)
    {
        DescribeExecutionResponse described;
        try
        {
            described = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = executionArn }, cancellationToken).ConfigureAwait(false);
        }
        catch (ExecutionDoesNotExistException)
        {
            await using var gone = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            // Deleted or past AWS's retention: keep what we knew, stop asking, and close a row still shown as running.
            await gone.Executions.Where(e => e.Arn == executionArn).ExecuteUpdateAsync(
                s => s.SetProperty(e => e.NeedsHistory, false).SetProperty(e => e.Status, e => e.Status == ExecutionStatus.RUNNING ? ExpiredStatus : e.Status),
                cancellationToken).ConfigureAwait(false);
            return false;
        }

        var fetched = new List<HistoryEvent>();
        await foreach (var page in stepFunctions.GetExecutionHistoryPagesAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = 1000 }, cancellationToken).ConfigureAwait(false))
        {
            fetched.AddRange(page.Events);
        }

        // Secrets out before anything reads or stores the events (the task runs' causes are cut from them).
        var events = redactor.Redact(fetched);
        var analysis = ExecutionHistoryAnalyzer.Analyze(executionArn, events);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var record = await db.Executions.FindAsync([executionArn], cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                var machine = await db.StateMachines.AsNoTracking().FirstOrDefaultAsync(m => m.Arn == described.StateMachineArn, cancellationToken).ConfigureAwait(false);
                record = new ExecutionRecord
                {
                    Arn = executionArn,
                    StateMachineArn = described.StateMachineArn,
                    StateMachineName = machine?.Name ?? described.StateMachineArn[(described.StateMachineArn.LastIndexOf(':') + 1)..],
                    Name = described.Name ?? executionArn[(executionArn.LastIndexOf(':') + 1)..],
                    Status = described.Status,
                };
                db.Executions.Add(record);
            }

            var now = time.GetUtcNow();
            ExecutionMapping.Apply(record, described, redactor);
            record.ReasonClass = analysis.LastFailureClass;
            record.EcsTaskCount = analysis.TaskRuns.Count(r => r.ResourceType == "ecs");
            record.NeedsHistory = false;
            record.HistoryFetchedAt = now;
            record.UpdatedAt = now;
            record.HistoryFailures = 0;
            record.HistoryRetryAt = null;
            record.HistoryError = null;

            await db.TaskRuns.Where(r => r.ExecutionArn == executionArn).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.Redrives.Where(r => r.ExecutionArn == executionArn).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            db.TaskRuns.AddRange(analysis.TaskRuns);
            db.Redrives.AddRange(analysis.Redrives);

            var json = StoredHistory.Serialize(events);
            var history = await db.Histories.FindAsync([executionArn], cancellationToken).ConfigureAwait(false);
            if (history is null)
            {
                db.Histories.Add(new ExecutionHistoryRecord { ExecutionArn = executionArn, EventsJson = json, EventCount = events.Count, FetchedAt = now });
            }
            else
            {
                history.EventsJson = json;
                history.EventCount = events.Count;
                history.FetchedAt = now;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // A page's refresh and the sync fetched the same history at once: the other one stored it first, and
                // what it stored is as fresh as ours (the task runs' unique key keeps it from being stored twice).
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        LogRefreshed(executionArn, events.Count, analysis.TaskRuns.Count);
        return true;
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The history of {ExecutionArn} failed {Failures} times in a row and is poisoned: the sync no longer fetches it (last error: {Error})")]
    private partial void LogPoisoned(string executionArn, int failures, string error);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Fetched history of {ExecutionArn}: {Events} events, {Attempts} task attempts")]
    private partial void LogRefreshed(string executionArn, int events, int attempts);
}
