using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>An operation about to be recorded: what is asked, by whom, of what.</summary>
public sealed record OperationDraft(OperationKind Kind, OperationActor Actor, string? Workflow, string? TargetArn, string Parameters, string? RequestHash = null);

/// <summary>How an operation ended, as it is written to the ledger.</summary>
public sealed record OperationCompletion(OperationStatus Status, string? ResultArn = null, string? Result = null, string? ErrorCode = null, string? ErrorMessage = null, string? AwsRequestId = null);

/// <summary>
/// The operation ledger in the read model: every action is written here before it is carried out and completed here
/// after. Writes are conditional (a claim, a completion) so two instances, or a retry and recovery, never both send.
/// </summary>
public sealed class OperationLedger(IDbContextFactory<ReadModelDbContext> contexts, ReadModelChanges changes, TimeProvider time, IOptions<OperationOptions> options)
{
    private OperationOptions Options => options.Value;

    /// <summary>
    /// Records the operation under its key and claims it for this caller, or finds the one already recorded for the same
    /// request (Repeated). A failed, refused or cancelled one does not count: asking again records the next generation.
    /// </summary>
    /// <param name="repeatWindow">Null: the same key is the same operation for ever. Else only while it is in flight or this recent.</param>
    public async Task<(OperationRecord Record, bool Repeated)> BeginAsync(OperationDraft draft, string storedKey, TimeSpan? repeatWindow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var latest = await db.Operations.AsNoTracking()
                .Where(o => o.IdempotencyKey == storedKey)
                .OrderByDescending(o => o.Generation)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (latest is not null && Counts(latest, repeatWindow, now))
            {
                return (latest, true);
            }

            var record = New(draft, storedKey, now);
            record.Generation = latest is null ? 0 : latest.Generation + 1;
            record.Status = OperationStatus.Pending;
            record.ClaimedUntil = now + Options.ClaimFor;
            db.Operations.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                changes.Publish(ReadModelChangeKind.Operations);
                return (record, false);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e) && attempt < 5)
            {
                // Someone recorded the same request a moment ago: read theirs.
            }
        }
    }

    /// <summary>
    /// The authorization every action starts with: null when the actor holds the role; else the refusal, recorded
    /// (who tried what) with nothing sent.
    /// </summary>
    public async Task<OperationResult?> RefuseUnlessAllowedAsync(OperationActor actor, OperationKind kind, string? workflow, string? target, string parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.May(kind))
        {
            return null;
        }

        var message = $"{actor.Name} may not {Verb(kind)}: that needs the {OperationActor.RequiredRole(kind)} role.";
        var record = await RecordRefusedAsync(new OperationDraft(kind, actor, workflow, target, parameters), message, cancellationToken).ConfigureAwait(false);
        return new OperationResult(OperationResultKind.Refused, OperationView.From(record), Message: message);
    }

    public static string Verb(OperationKind kind) => kind switch
    {
        OperationKind.Start => "start workflows",
        OperationKind.Redrive => "redrive executions",
        OperationKind.Rerun => "re-run executions",
        OperationKind.Stop => "stop executions",
        OperationKind.SendTaskSuccess or OperationKind.SendTaskFailure => "answer a task token",
        OperationKind.BulkRedrive => "redrive executions in bulk",
        OperationKind.BulkStop => "stop executions in bulk",
        OperationKind.CreateSchedule => "create schedules",
        OperationKind.UpdateSchedule or OperationKind.RestoreScheduleVersion => "change schedules",
        OperationKind.EnableSchedule => "enable schedules",
        OperationKind.DisableSchedule => "disable schedules",
        OperationKind.DeleteSchedule => "delete schedules",
        OperationKind.RunScheduleNow => "run schedules now",
        OperationKind.PauseScheduleGroup or OperationKind.ResumeScheduleGroup => "pause or resume schedule groups",
        _ => kind.ToString(),
    };

    /// <summary>Records a refusal (the user lacked the role): final at once, nothing is ever sent for it.</summary>
    public async Task<OperationRecord> RecordRefusedAsync(OperationDraft draft, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var record = New(draft, IdempotencyKeys.Stored("refused", Guid.NewGuid().ToString("N")), now);
        record.Status = OperationStatus.Refused;
        record.CompletedAt = now;
        record.ErrorCode = "Forbidden";
        record.ErrorMessage = message;
        db.Operations.Add(record);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Operations);
        return record;
    }

    /// <summary>Records a bulk operation and its items (queued, in order) in one transaction.</summary>
    public async Task<OperationRecord> CreateBulkAsync(OperationDraft bulk, string storedKey, IReadOnlyList<(string Arn, string Workflow)> targets, OperationKind itemKind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bulk);
        ArgumentNullException.ThrowIfNull(targets);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        // Unclaimed: the bulk job claims it when it starts (recovery starts one if that never happens).
        var parent = New(bulk, storedKey, now);
        parent.Status = OperationStatus.Pending;
        db.Operations.Add(parent);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var position = 0;
        foreach (var (arn, workflow) in targets)
        {
            var item = New(new OperationDraft(itemKind, bulk.Actor, workflow, arn, bulk.Parameters), IdempotencyKeys.Stored("bulk-item", $"{parent.Id} {arn}"), now);
            item.ParentId = parent.Id;
            item.Position = position++;
            item.Status = OperationStatus.Queued;
            item.Parameters = null;
            db.Operations.Add(item);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Operations);
        return parent;
    }

    /// <summary>
    /// Takes the right to send an operation: it is pending (or a queued bulk item) and nobody's claim is current.
    /// Counts the attempt. False when another caller holds it, or it is already complete.
    /// </summary>
    public async Task<bool> TryClaimAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var until = now + Options.ClaimFor;
        var claimed = await db.Operations
            .Where(o => o.Id == id && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Queued) && (o.ClaimedUntil == null || o.ClaimedUntil < now))
            .ExecuteUpdateAsync(
                s => s.SetProperty(o => o.Status, OperationStatus.Pending)
                    .SetProperty(o => o.ClaimedUntil, until)
                    .SetProperty(o => o.Attempts, o => o.Attempts + 1)
                    .SetProperty(o => o.StartedAt, o => o.StartedAt ?? now),
                cancellationToken).ConfigureAwait(false);
        if (claimed == 1)
        {
            changes.Publish(ReadModelChangeKind.Operations);
        }

        return claimed == 1;
    }

    /// <summary>Marks the first send of an operation claimed at <see cref="BeginAsync"/> (which already holds the claim).</summary>
    public async Task MarkSendingAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await db.Operations.Where(o => o.Id == id && o.Status == OperationStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Attempts, o => o.Attempts + 1).SetProperty(o => o.StartedAt, o => o.StartedAt ?? now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Extends a claim the caller holds (a long bulk run renews its claim on the bulk operation).</summary>
    public async Task RenewClaimAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var until = time.GetUtcNow() + Options.ClaimFor;
        await db.Operations.Where(o => o.Id == id && o.Status == OperationStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.ClaimedUntil, until), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes how it ended. Only a pending operation completes, once; returns false if it already had.</summary>
    public async Task<bool> CompleteAsync(long id, OperationCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var done = await db.Operations.Where(o => o.Id == id && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Queued))
            .ExecuteUpdateAsync(
                s => s.SetProperty(o => o.Status, completion.Status)
                    .SetProperty(o => o.CompletedAt, now)
                    .SetProperty(o => o.ClaimedUntil, (DateTimeOffset?)null)
                    .SetProperty(o => o.ResultArn, completion.ResultArn)
                    .SetProperty(o => o.Result, completion.Result)
                    .SetProperty(o => o.ErrorCode, completion.ErrorCode)
                    .SetProperty(o => o.ErrorMessage, completion.ErrorMessage)
                    .SetProperty(o => o.AwsRequestId, completion.AwsRequestId),
                cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Operations);
        return done == 1;
    }

    /// <summary>AWS did not answer usefully (throttled past retries, 5xx, unreachable): it stays pending and is retried after <paramref name="retryAt"/>.</summary>
    public async Task DeferAsync(long id, string lastError, DateTimeOffset retryAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Operations.Where(o => o.Id == id && o.Status == OperationStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.ClaimedUntil, retryAt).SetProperty(o => o.ErrorMessage, lastError), cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Operations);
    }

    /// <summary>Asks a bulk operation to stop: its queued items are cancelled by the job (or here, if none runs).</summary>
    public async Task<bool> RequestCancelAsync(long bulkId, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var asked = await db.Operations.Where(o => o.Id == bulkId && o.ParentId == null && o.Status == OperationStatus.Pending && o.CancelRequestedBy == null)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.CancelRequestedBy, actor), cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Operations);
        return asked == 1;
    }

    /// <summary>Cancels the items of a bulk operation still queued; the ones already sent stay as they are.</summary>
    public async Task<int> CancelQueuedItemsAsync(long bulkId, string reason, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var cancelled = await db.Operations.Where(o => o.ParentId == bulkId && o.Status == OperationStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OperationStatus.Cancelled).SetProperty(o => o.CompletedAt, now).SetProperty(o => o.ErrorMessage, reason), cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Operations);
        return cancelled;
    }

    /// <summary>The latest operation recorded under a key that did not fail (the one a repeat of that request is).</summary>
    public async Task<OperationRecord?> FindAsync(string storedKey, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Operations.AsNoTracking()
            .Where(o => o.IdempotencyKey == storedKey && o.Status != OperationStatus.Failed && o.Status != OperationStatus.Refused && o.Status != OperationStatus.Cancelled)
            .OrderByDescending(o => o.Generation)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<OperationRecord?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Operations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A bulk operation's items not yet complete, in order: pending ones (sent before a restart) first.</summary>
    public async Task<List<OperationRecord>> OpenItemsAsync(long bulkId, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Operations.AsNoTracking()
            .Where(o => o.ParentId == bulkId && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Queued))
            .OrderBy(o => o.Status == OperationStatus.Pending ? 0 : 1).ThenBy(o => o.Position)
            .Take(take)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How a bulk operation's items stand.</summary>
    public async Task<Dictionary<OperationStatus, int>> ItemCountsAsync(long bulkId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Operations.AsNoTracking().Where(o => o.ParentId == bulkId).GroupBy(o => o.Status)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Operations left pending with no live claim (a restart, a throttle): single ones to resend, bulk ones to resume.</summary>
    public async Task<List<OperationRecord>> UnclaimedPendingAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return await db.Operations.AsNoTracking()
            .Where(o => o.Status == OperationStatus.Pending && o.ParentId == null && (o.ClaimedUntil == null || o.ClaimedUntil < now))
            .OrderBy(o => o.Id)
            .Take(100)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool Counts(OperationRecord latest, TimeSpan? repeatWindow, DateTimeOffset now) =>
        latest.Status is not (OperationStatus.Failed or OperationStatus.Refused or OperationStatus.Cancelled)
        && (repeatWindow is not { } window || latest.Status is OperationStatus.Pending or OperationStatus.Queued || latest.RequestedAt >= now - window);

    private static OperationRecord New(OperationDraft draft, string storedKey, DateTimeOffset now) => new()
    {
        Kind = draft.Kind,
        Actor = draft.Actor.Name,
        ActorId = draft.Actor.Id ?? draft.Actor.Name,
        RequestedAt = now,
        Workflow = draft.Workflow,
        TargetArn = draft.TargetArn,
        IdempotencyKey = storedKey,
        Parameters = draft.Parameters,
        RequestHash = draft.RequestHash,
    };
}
