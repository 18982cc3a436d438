using Quartz;

namespace BatchOps.Dashboard.Sync.Jobs;

/// <summary>
/// Runs one sync step and records in its cursor whether AWS answered. A failure (throttled past the client's retries,
/// 5xx, unreachable) is logged and recorded, never thrown: the next run starts from the same cursor, so nothing is lost.
/// </summary>
public abstract partial class SyncJob(SyncStatusStore status, ILogger logger) : IJob
{
    protected abstract string CursorKey { get; }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(cancellationToken).ConfigureAwait(false);
            await status.RecordSuccessAsync(CursorKey, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // A sync job must survive any failure of its source; it is recorded and retried next run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex, GetType().Name, ex.Message);
            await status.RecordFailureAsync(CursorKey, ex, CancellationToken.None).ConfigureAwait(false);
        }
    }

    protected abstract Task RunAsync(CancellationToken cancellationToken);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "{Job} failed, will retry next run: {Reason}")]
    private partial void LogFailed(Exception ex, string job, string reason);
}

/// <summary>Lists state machines and indexes new and changed executions (ExecutionIndexer).</summary>
[DisallowConcurrentExecution]
public sealed class ExecutionIndexJob(ExecutionIndexer indexer, SyncStatusStore status, ILogger<ExecutionIndexJob> logger) : SyncJob(status, logger)
{
    public static readonly JobKey Key = new("execution-index", "sync");

    protected override string CursorKey => ExecutionIndexer.StateMachinesKey;

    protected override Task RunAsync(CancellationToken cancellationToken) => indexer.RunAsync(cancellationToken);
}

/// <summary>Fetches the histories of executions that changed (HistorySynchronizer).</summary>
[DisallowConcurrentExecution]
public sealed class ExecutionHistoryJob(HistorySynchronizer histories, SyncStatusStore status, ILogger<ExecutionHistoryJob> logger) : SyncJob(status, logger)
{
    public static readonly JobKey Key = new("execution-history", "sync");

    protected override string CursorKey => HistorySynchronizer.CursorKey;

    protected override Task RunAsync(CancellationToken cancellationToken) => histories.SyncPendingAsync(cancellationToken);
}

/// <summary>Captures stopped ECS tasks per cluster (StoppedTaskCapture).</summary>
[DisallowConcurrentExecution]
public sealed class StoppedTaskCaptureJob(StoppedTaskCapture capture, SyncStatusStore status, ILogger<StoppedTaskCaptureJob> logger) : SyncJob(status, logger)
{
    public static readonly JobKey Key = new("stopped-tasks", "sync");

    protected override string CursorKey => "stopped-tasks";

    protected override Task RunAsync(CancellationToken cancellationToken) => capture.RunAsync(cancellationToken);
}
