using Hangfire;

namespace BatchOps.Dashboard.Features.Operations.Jobs;

/// <summary>
/// Finishes what was in flight: an operation left pending by a stopped instance (its claim lapsed) or deferred after AWS
/// throttled, failed or was unreachable is sent again, the same request (see <see cref="OperationExecutor"/>); a bulk
/// operation whose runner stopped gets a new one. Runs every <see cref="OperationOptions.RecoveryInterval"/>.
/// </summary>
[AutomaticRetry(Attempts = 0)]
[Sync.Jobs.SkipWhenRunning]
public sealed partial class OperationRecoveryJob(OperationLedger ledger, OperationExecutor executor, IBackgroundJobClient jobs, ILogger<OperationRecoveryJob> logger)
{
    public const string JobId = "operations:recover";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var operation in await ledger.UnclaimedPendingAsync(cancellationToken).ConfigureAwait(false))
        {
            if (operation.Kind is ReadModel.OperationKind.BulkRedrive or ReadModel.OperationKind.BulkStop)
            {
                LogResuming(operation.Id, operation.Kind);
                jobs.Enqueue<BulkOperationJob>(job => job.RunAsync(operation.Id, CancellationToken.None));
            }
            else if (await ledger.TryClaimAsync(operation.Id, cancellationToken).ConfigureAwait(false))
            {
                LogResending(operation.Id, operation.Kind, operation.Attempts + 1);
                await executor.SendAsync((await ledger.GetAsync(operation.Id, cancellationToken).ConfigureAwait(false))!, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming bulk operation {Id} ({Kind})")]
    private partial void LogResuming(long id, ReadModel.OperationKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending operation {Id} ({Kind}) again, attempt {Attempt}")]
    private partial void LogResending(long id, ReadModel.OperationKind kind, int attempt);
}
