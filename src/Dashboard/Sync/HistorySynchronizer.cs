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

    /// <summary>Fetches up to <see cref="SyncOptions.HistoryBatch"/> flagged executions, newest first. Returns how many.</summary>
    public async Task<int> SyncPendingAsync(CancellationToken cancellationToken)
    {
        List<string> pending;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            pending = await db.Executions.AsNoTracking().Where(e => e.NeedsHistory)
                .OrderByDescending(e => e.StartDate).Select(e => e.Arn).Take(options.Value.HistoryBatch)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
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
                // One history AWS will not give (AccessDenied, KMS) must not hold up the rest of the batch, pass after
                // pass: go on, and report it once the batch is done (it is tried again next pass).
                failures.Add($"{arn[(arn.LastIndexOf(':') + 1)..]}: {e.ErrorCode}: {e.ErrorMessage}");
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
            await gone.Executions.Where(e => e.Arn == executionArn).ExecuteUpdateAsync(s => s.SetProperty(e => e.NeedsHistory, false), cancellationToken).ConfigureAwait(false);
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

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        LogRefreshed(executionArn, events.Count, analysis.TaskRuns.Count);
        return true;
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Fetched history of {ExecutionArn}: {Events} events, {Attempts} task attempts")]
    private partial void LogRefreshed(string executionArn, int events, int attempts);
}
