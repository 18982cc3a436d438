using Hangfire;

namespace BatchOps.Dashboard.Sync.Jobs;

/// <summary>
/// One sync step as a Hangfire recurring job: skipped while another run of it is under way on any instance, never
/// retried by Hangfire (the next run starts from the same cursor), and its outcome recorded in the read model (the
/// stale-data notice, the sync runs). A failure (throttled past the client's retries, 5xx, unreachable) is logged
/// and recorded, never thrown, so nothing is lost.
/// </summary>
[SkipWhenRunning]
[AutomaticRetry(Attempts = 0)]
public abstract partial class SyncJob(SyncStatusStore status, ILogger logger)
{
    /// <summary>The recurring job's id (also the lock it holds while it runs).</summary>
    public abstract string Id { get; }

    /// <summary>The cursor the job's health is recorded in.</summary>
    protected abstract string CursorKey { get; }

    /// <summary>Hangfire passes its shutdown token for <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var run = await status.RunStartedAsync(Id, cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(cancellationToken).ConfigureAwait(false);
            await status.RecordSuccessAsync(CursorKey, cancellationToken).ConfigureAwait(false);
            await status.RunEndedAsync(run, error: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
            await status.RunEndedAsync(run, "stopped: the dashboard is shutting down", CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A sync job must survive any failure of its source; it is recorded and retried next run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex, Id, ex.Message);
            await status.RecordFailureAsync(CursorKey, ex, CancellationToken.None).ConfigureAwait(false);
            await status.RunEndedAsync(run, ex.Message, CancellationToken.None).ConfigureAwait(false);
        }
    }

    protected abstract Task ExecuteAsync(CancellationToken cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync job {Job} failed, will retry next run: {Reason}")]
    private partial void LogFailed(Exception ex, string job, string reason);
}

/// <summary>Lists state machines and indexes new and changed executions (<see cref="ExecutionIndexer"/>).</summary>
public sealed class ExecutionIndexJob(ExecutionIndexer indexer, SyncStatusStore status, ILogger<ExecutionIndexJob> logger) : SyncJob(status, logger)
{
    public const string JobId = "sync:executions";

    public override string Id => JobId;

    protected override string CursorKey => ExecutionIndexer.StateMachinesKey;

    protected override Task ExecuteAsync(CancellationToken cancellationToken) => indexer.RunAsync(cancellationToken);
}

/// <summary>Fetches the histories of executions that changed (<see cref="HistorySynchronizer"/>).</summary>
public sealed class ExecutionHistoryJob(HistorySynchronizer histories, SyncStatusStore status, ILogger<ExecutionHistoryJob> logger) : SyncJob(status, logger)
{
    public const string JobId = "sync:histories";

    public override string Id => JobId;

    protected override string CursorKey => HistorySynchronizer.CursorKey;

    protected override Task ExecuteAsync(CancellationToken cancellationToken) => histories.SyncPendingAsync(cancellationToken);
}

/// <summary>Captures stopped ECS tasks per cluster before ECS forgets them (<see cref="StoppedTaskCapture"/>).</summary>
public sealed class StoppedTaskCaptureJob(StoppedTaskCapture capture, SyncStatusStore status, ILogger<StoppedTaskCaptureJob> logger) : SyncJob(status, logger)
{
    public const string JobId = "sync:stopped-tasks";

    public override string Id => JobId;

    protected override string CursorKey => "stopped-tasks";

    protected override Task ExecuteAsync(CancellationToken cancellationToken) => capture.RunAsync(cancellationToken);
}

/// <summary>Finds redrives of older executions, which ListExecutions does not report as new (<see cref="ExecutionIndexer.SweepRedrivesAsync"/>).</summary>
public sealed class RedriveSweepJob(ExecutionIndexer indexer, SyncStatusStore status, ILogger<RedriveSweepJob> logger) : SyncJob(status, logger)
{
    public const string JobId = "sync:redrives";

    public override string Id => JobId;

    protected override string CursorKey => "redrives";

    protected override Task ExecuteAsync(CancellationToken cancellationToken) => indexer.SweepRedrivesAsync(cancellationToken);
}
