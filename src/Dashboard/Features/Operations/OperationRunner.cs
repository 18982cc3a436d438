using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// The one way an action is carried out, whatever feature it belongs to: written to the ledger under its idempotency
/// key, sent (unless the same request is already recorded, which answers with that one), and answered with how it stands.
/// </summary>
public sealed class OperationRunner(OperationLedger ledger, OperationExecutor executor, TimeProvider time, IHostApplicationLifetime lifetime)
{
    /// <summary>How long a repeated request waits for the first one to finish before answering "in progress".</summary>
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(5);

    public async Task<OperationResult> RecordAndSendAsync(OperationDraft draft, string storedKey, TimeSpan? window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var (record, repeated) = await ledger.BeginAsync(draft, storedKey, window, cancellationToken).ConfigureAwait(false);
        if (repeated)
        {
            if (draft.RequestHash is not null && record.RequestHash is not null && record.RequestHash != draft.RequestHash)
            {
                return OperationResult.Invalid("idempotencyKey", $"This idempotency key was used for a different request (operation {record.Id}); use a new key for a new request.");
            }

            return await RepeatAsync(record, cancellationToken).ConfigureAwait(false);
        }

        // Once recorded it is carried out whatever happens to the caller (a closed tab, a dropped connection).
        await ledger.MarkSendingAsync(record.Id, cancellationToken).ConfigureAwait(false);
        record.Attempts++;
        var sent = OperationView.From(await executor.SendAsync(record, lifetime.ApplicationStopping).ConfigureAwait(false));
        return new OperationResult(sent.IsFinal ? OperationResultKind.Done : OperationResultKind.Accepted, sent);
    }

    /// <summary>The answer to a repeated request: the first one's operation, once it has settled (or as it stands after a few seconds).</summary>
    public async Task<OperationResult> RepeatAsync(OperationRecord first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(first);
        var deadline = time.GetUtcNow() + WaitForFirst;
        var current = first;
        while (current.Status is OperationStatus.Pending or OperationStatus.Queued && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
            current = await ledger.GetAsync(first.Id, cancellationToken).ConfigureAwait(false) ?? current;
        }

        var settled = OperationView.From(current);
        return new OperationResult(settled.IsFinal ? OperationResultKind.Done : OperationResultKind.Accepted, settled with { Repeated = true });
    }
}
