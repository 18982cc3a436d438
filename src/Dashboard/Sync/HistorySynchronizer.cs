using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Sync;

/// <summary>
/// Fetches DescribeExecution and the new events of the GetExecutionHistory of executions that changed (all of it the
/// first time), and replaces their task runs and redrives with what the whole history says. Opening an execution's
/// page refreshes it the same way.
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

    /// <summary>The first newest-first page of an incremental fetch: between two passes an execution usually adds a few events.</summary>
    internal const int NewestFirstPage = 50;

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

        // What is stored already is read back and only the events after it are asked of AWS: a long-running execution
        // or a redrive adds a few events to a history that may hold thousands.
        var (events, kept) = await ReadStoredAsync(executionArn, cancellationToken).ConfigureAwait(false);
        var newer = events.Count > 0 ? await FetchNewerAsync(executionArn, events[^1].Id, cancellationToken).ConfigureAwait(false) : null;
        if (newer is null)
        {
            kept = 0;
            events = await FetchAllAsync(executionArn, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            events.AddRange(newer);
        }

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

            var history = await db.Histories.FindAsync([executionArn], cancellationToken).ConfigureAwait(false);
            if (history is null)
            {
                history = new ExecutionHistoryRecord { ExecutionArn = executionArn };
                db.Histories.Add(history);
            }

            history.EventCount = events.Count;
            history.LastEventId = events.Count > 0 ? events[^1].Id : 0;
            history.FetchedAt = now;

            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                if (kept == 0 || events.Count > kept)
                {
                    await StoredHistory.WriteAsync(db, executionArn, events, kept, cancellationToken).ConfigureAwait(false);
                }

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

    /// <summary>
    /// The stored events and how many, when they can be built on: none when nothing is stored, when it was stored
    /// before histories knew their last event id, or when it does not read back whole.
    /// </summary>
    private async Task<(List<HistoryEvent> Events, int Kept)> ReadStoredAsync(string executionArn, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stored = await db.Histories.AsNoTracking().FirstOrDefaultAsync(h => h.ExecutionArn == executionArn, cancellationToken).ConfigureAwait(false);
        if (stored is not { LastEventId: > 0 })
        {
            return ([], 0);
        }

        var events = await StoredHistory.ReadAsync(db, executionArn, stored.EventCount, cancellationToken).ConfigureAwait(false);
        return events.Count == stored.EventCount && events[^1].Id == stored.LastEventId ? (events, events.Count) : ([], 0);
    }

    /// <summary>
    /// The events after <paramref name="after"/>, oldest first, read newest first until the stored one is reached (a
    /// small first page: usually only a few are new). Null when they do not join on to it; then it is all fetched again.
    /// </summary>
    private async Task<List<HistoryEvent>?> FetchNewerAsync(string executionArn, long after, CancellationToken cancellationToken)
    {
        var newer = new List<HistoryEvent>();
        var lowest = long.MaxValue;
        string? token = null;
        var pageSize = NewestFirstPage;
        do
        {
            var page = await stepFunctions.GetExecutionHistoryAsync(
                new GetExecutionHistoryRequest { ExecutionArn = executionArn, ReverseOrder = true, MaxResults = pageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
            // Secrets out before anything keeps, reads or stores the events (the task runs' causes are cut from them).
            foreach (var e in redactor.Redact(page.Events))
            {
                if (e.Id <= after)
                {
                    newer.Reverse();
                    return newer.Count == 0 || newer[0].Id == after + 1 ? newer : null;
                }

                // Events added while paging shift the pages: what a page repeats is skipped.
                if (e.Id < lowest)
                {
                    newer.Add(e);
                    lowest = e.Id;
                }
            }

            token = page.NextToken;
            pageSize = 1000;
        }
        while (token is not null);

        return null;
    }

    /// <summary>The whole history, oldest first, each page redacted as it arrives so only the redacted events are kept.</summary>
    private async Task<List<HistoryEvent>> FetchAllAsync(string executionArn, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEvent>();
        await foreach (var page in stepFunctions.GetExecutionHistoryPagesAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = 1000 }, cancellationToken).ConfigureAwait(false))
        {
            events.AddRange(redactor.Redact(page.Events));
        }

        return events;
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The history of {ExecutionArn} failed {Failures} times in a row and is poisoned: the sync no longer fetches it (last error: {Error})")]
    private partial void LogPoisoned(string executionArn, int failures, string error);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Fetched history of {ExecutionArn}: {Events} events, {Attempts} task attempts")]
    private partial void LogRefreshed(string executionArn, int events, int attempts);
}
