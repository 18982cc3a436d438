using BatchOps.Aws.Scheduler;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>
/// Sends the schedule operations the ledger holds, each with a client token derived from the operation, and recognises
/// its own earlier send after a restart (the schedule already is what was asked). The read model is refreshed after.
/// </summary>
public sealed class ScheduleSender(IAmazonScheduler scheduler, ScheduleCatalog catalog) : IOperationSender
{
    public bool Sends(OperationKind kind) => kind is OperationKind.CreateSchedule or OperationKind.UpdateSchedule or OperationKind.EnableSchedule or OperationKind.DisableSchedule
        or OperationKind.DeleteSchedule or OperationKind.RestoreScheduleVersion or OperationKind.PauseScheduleGroup or OperationKind.ResumeScheduleGroup;

    public async Task<OperationCompletion> SendAsync(OperationRecord operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var token = IdempotencyKeys.ClientToken(operation.IdempotencyKey, operation.Generation);
        return operation.Kind switch
        {
            OperationKind.PauseScheduleGroup => await SetGroupAsync(OperationJson.Read<GroupPause>(operation.Parameters), ScheduleState.DISABLED, token, cancellationToken).ConfigureAwait(false),
            OperationKind.ResumeScheduleGroup => await SetGroupAsync(OperationJson.Read<GroupPause>(operation.Parameters), ScheduleState.ENABLED, token, cancellationToken).ConfigureAwait(false),
            OperationKind.DeleteSchedule => await DeleteAsync(OperationJson.Read<ScheduleChange>(operation.Parameters), operation.Attempts, token, cancellationToken).ConfigureAwait(false),
            _ => await PutAsync(operation.Kind, OperationJson.Read<ScheduleChange>(operation.Parameters), token, cancellationToken).ConfigureAwait(false),
        };
    }

    private async Task<OperationCompletion> PutAsync(OperationKind kind, ScheduleChange change, string token, CancellationToken cancellationToken)
    {
        var after = change.After!;
        var current = await catalog.GetAsync(change.GroupName, change.Name, cancellationToken).ConfigureAwait(false);
        string? requestId;
        if (current is not null && current.SameAs(after))
        {
            // Sent before a restart, or someone made the same change: it is what was asked.
            requestId = null;
        }
        else if (current is null)
        {
            if (kind is not (OperationKind.CreateSchedule or OperationKind.RestoreScheduleVersion))
            {
                return new OperationCompletion(OperationStatus.Failed, ErrorCode: "ResourceNotFoundException", ErrorMessage: $"Schedule {change.Name} no longer exists; nothing was sent.");
            }

            await EnsureGroupAsync(after.GroupName, cancellationToken).ConfigureAwait(false);
            requestId = (await scheduler.CreateScheduleAsync(after.ToCreate(token), cancellationToken).ConfigureAwait(false)).ResponseMetadata.RequestId;
        }
        else if (kind == OperationKind.CreateSchedule)
        {
            return new OperationCompletion(OperationStatus.Failed, ErrorCode: "ConflictException", ErrorMessage: $"Schedule {change.Name} already exists (created elsewhere); nothing was sent.");
        }
        else if (change.ExpectedLastModified is not null && current.LastModificationDate != change.ExpectedLastModified)
        {
            return new OperationCompletion(OperationStatus.Failed, ErrorCode: "Changed",
                ErrorMessage: $"{change.Name} was changed elsewhere at {current.LastModificationDate:u}, after this change was asked: nothing was sent.");
        }
        else
        {
            requestId = (await scheduler.UpdateScheduleAsync(after.ToUpdate(token), cancellationToken).ConfigureAwait(false)).ResponseMetadata.RequestId;
        }

        await catalog.RefreshAsync(change.GroupName, change.Name, CancellationToken.None).ConfigureAwait(false);
        var verb = kind switch
        {
            OperationKind.CreateSchedule => "created",
            OperationKind.EnableSchedule => "enabled",
            OperationKind.DisableSchedule => "disabled",
            OperationKind.RestoreScheduleVersion => "restored",
            _ => "saved",
        };
        return new OperationCompletion(OperationStatus.Succeeded, Result: $"{verb} {change.GroupName}/{change.Name}", AwsRequestId: requestId);
    }

    private async Task<OperationCompletion> DeleteAsync(ScheduleChange change, int attempts, string token, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await scheduler.DeleteScheduleAsync(new DeleteScheduleRequest { GroupName = change.GroupName, Name = change.Name, ClientToken = token }, cancellationToken).ConfigureAwait(false);
            await catalog.RefreshAsync(change.GroupName, change.Name, CancellationToken.None).ConfigureAwait(false);
            return new OperationCompletion(OperationStatus.Succeeded, Result: $"deleted {change.GroupName}/{change.Name}", AwsRequestId: deleted.ResponseMetadata.RequestId);
        }
        catch (ResourceNotFoundException e) when (attempts > 1)
        {
            // Deleted by our own earlier attempt, before a restart.
            await catalog.RefreshAsync(change.GroupName, change.Name, CancellationToken.None).ConfigureAwait(false);
            return new OperationCompletion(OperationStatus.Succeeded, Result: $"deleted {change.GroupName}/{change.Name}", AwsRequestId: e.RequestId);
        }
    }

    /// <summary>Sets each listed schedule's state, skipping one that was deleted or changed since (it is no longer what was paused).</summary>
    private async Task<OperationCompletion> SetGroupAsync(GroupPause pause, string state, string token, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        var skipped = new List<string>();
        foreach (var listed in pause.Schedules)
        {
            var current = await catalog.GetAsync(listed.GroupName, listed.Name, cancellationToken).ConfigureAwait(false);
            // Pausing: as it was when the pause was asked (enabled). Resuming: as the pause left it (disabled, unchanged).
            var asExpected = state == ScheduleState.DISABLED ? listed : listed with { State = ScheduleState.DISABLED };
            if (current is null || (current.State != state && !current.SameAs(asExpected)))
            {
                skipped.Add(listed.Name);
                continue;
            }

            if (current.State != state)
            {
                // One token per schedule, the same on every attempt of this operation.
                await scheduler.UpdateScheduleAsync((current with { State = state }).ToUpdate(IdempotencyKeys.ClientToken(token + " " + listed.Name, 0)), cancellationToken).ConfigureAwait(false);
            }

            done.Add(listed.Name);
            await catalog.RefreshAsync(listed.GroupName, listed.Name, CancellationToken.None).ConfigureAwait(false);
        }

        var verb = state == ScheduleState.DISABLED ? "paused" : "resumed";
        return new OperationCompletion(OperationStatus.Succeeded,
            Result: $"{verb} {done.Count} of {pause.Schedules.Count} in {pause.GroupName}{(done.Count > 0 ? ": " + string.Join(", ", done) : "")}{(skipped.Count > 0 ? $"; left alone (changed or deleted since): {string.Join(", ", skipped)}" : "")}");
    }

    private async Task EnsureGroupAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.GetScheduleGroupAsync(new GetScheduleGroupRequest { Name = group }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            try
            {
                await scheduler.CreateScheduleGroupAsync(new CreateScheduleGroupRequest { Name = group }, cancellationToken).ConfigureAwait(false);
            }
            catch (ConflictException)
            {
                // Created meanwhile by another instance.
            }
        }
    }
}
