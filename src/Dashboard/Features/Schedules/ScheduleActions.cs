using System.Globalization;
using System.Text.RegularExpressions;
using BatchOps.Aws.Scheduler;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Schedules;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>What a schedule operation changes: the whole schedule before and after (a restore brings either back).</summary>
public sealed record ScheduleChange(string GroupName, string Name, ScheduleDefinition? Before, ScheduleDefinition? After, DateTimeOffset? ExpectedLastModified = null);

/// <summary>A group paused or resumed: the schedules it covers, as they were.</summary>
public sealed record GroupPause(string GroupName, IReadOnlyList<ScheduleDefinition> Schedules, long? PauseOperationId = null);

/// <summary>Create (no <paramref name="ExpectedLastModified"/>) or replace a schedule; an edit names the version it started from.</summary>
public sealed record ScheduleSaveRequest(ScheduleDefinition Definition, bool IsNew, DateTimeOffset? ExpectedLastModified = null);

/// <summary>
/// Schedule changes for the pages and the API: authorized, validated as EventBridge Scheduler validates (with the reason),
/// refused on CloudFormation's groups and on an edit of a version someone else has since changed, recorded in the ledger
/// with the schedule before and after, then sent (<see cref="ScheduleSender"/>).
/// </summary>
public sealed partial class ScheduleActions(
    ScheduleCatalog catalog,
    WorkflowCatalog workflows,
    OperationLedger ledger,
    OperationRunner runner,
    TimeProvider time,
    IOptions<ScheduleOptions> options,
    IOptions<OperationOptions> operationOptions)
{
    /// <summary>EventBridge Scheduler's limit on a target's input.</summary>
    public const int MaxInputLength = 8192;

    private ScheduleOptions Options => options.Value;

    public async Task<OperationResult> SaveAsync(OperationActor actor, ScheduleSaveRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var definition = request.Definition with { LastModificationDate = null };
        var kind = request.IsNew ? OperationKind.CreateSchedule : OperationKind.UpdateSchedule;
        var draftParameters = OperationJson.Write(new ScheduleChange(definition.GroupName, definition.Name, null, definition, request.ExpectedLastModified));
        if (await ledger.RefuseUnlessAllowedAsync(actor, kind, WorkflowOf(definition.Target.Arn), ArnOf(definition), draftParameters, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (ReadOnly(definition.GroupName) is { } readOnly)
        {
            return readOnly;
        }

        var errors = await ValidateAsync(definition, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return OperationResult.Invalid(errors);
        }

        var current = await catalog.GetAsync(definition.GroupName, definition.Name, cancellationToken).ConfigureAwait(false);
        if (request.IsNew && current is not null)
        {
            return OperationResult.Invalid("name", $"A schedule named {definition.Name} already exists in {definition.GroupName}.");
        }

        if (!request.IsNew)
        {
            if (current is null)
            {
                return OperationResult.NotFound($"There is no schedule {definition.GroupName}/{definition.Name}.");
            }

            if (current.LastModificationDate != request.ExpectedLastModified)
            {
                return Changed(current);
            }
        }

        var change = new ScheduleChange(definition.GroupName, definition.Name, current, definition, request.ExpectedLastModified);
        var key = request.IsNew
            ? IdempotencyKeys.Content("create-schedule", actor.Name, ArnOf(definition), definition.ToJson())
            : $"update-schedule {ArnOf(definition)} {Stamp(request.ExpectedLastModified)} {IdempotencyKeys.Hash(definition.ToJson())}";
        return await SendAsync(actor, kind, change, key, request.IsNew ? operationOptions.Value.RepeatWindow : null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<OperationResult> SetStateAsync(OperationActor actor, string group, string name, bool enabled, DateTimeOffset? expectedLastModified, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var kind = enabled ? OperationKind.EnableSchedule : OperationKind.DisableSchedule;
        var (current, problem) = await LoadForChangeAsync(actor, kind, group, name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return problem!;
        }

        if (expectedLastModified is not null && current.LastModificationDate != expectedLastModified)
        {
            return Changed(current);
        }

        var state = enabled ? ScheduleState.ENABLED : ScheduleState.DISABLED;
        var change = new ScheduleChange(group, name, current, current with { State = state, LastModificationDate = null }, current.LastModificationDate);
        return await SendAsync(actor, kind, change, $"state {ArnOf(current)} {Stamp(current.LastModificationDate)} {state}", null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<OperationResult> DeleteAsync(OperationActor actor, string group, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (current, problem) = await LoadForChangeAsync(actor, OperationKind.DeleteSchedule, group, name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return problem!;
        }

        var change = new ScheduleChange(group, name, current, null, current.LastModificationDate);
        return await SendAsync(actor, OperationKind.DeleteSchedule, change, $"delete {ArnOf(current)} {Stamp(current.LastModificationDate)}", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the target now with the schedule's input, named after the schedule and recorded as such.</summary>
    public async Task<OperationResult> RunNowAsync(OperationActor actor, string group, string name, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var arn = $"schedule/{group}/{name}";
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.RunScheduleNow, null, arn, OperationJson.Write(new { group, name }), cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var current = await catalog.GetAsync(group, name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return OperationResult.NotFound($"There is no schedule {group}/{name}.");
        }

        if (!current.Target.Arn.Contains(":stateMachine:", StringComparison.Ordinal))
        {
            return OperationResult.Conflict("target", $"{name} targets {current.Target.Arn}, not a state machine: run now starts state machines only.");
        }

        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        var suffix = $"-run-{stamp}";
        var executionName = (name.Length + suffix.Length > OperationValidation.MaxNameLength ? name[..(OperationValidation.MaxNameLength - suffix.Length)] : name) + suffix;
        var parameters = OperationJson.Write(new StartParameters(current.Target.Arn, executionName, current.Target.Input ?? "{}"));
        var key = idempotencyKey is { Length: > 0 } clientKey ? IdempotencyKeys.Client(actor.Name, clientKey) : $"run-now {ArnOf(current)} {stamp}";
        return await runner.RecordAndSendAsync(new OperationDraft(OperationKind.RunScheduleNow, actor, WorkflowOf(current.Target.Arn), ArnOf(current), parameters),
            IdempotencyKeys.Stored("run-now", key), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disables every enabled schedule of a group; the operation remembers which, for <see cref="ResumeGroupAsync"/>.</summary>
    public async Task<OperationResult> PauseGroupAsync(OperationActor actor, string group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var groupArn = GroupArn(group);
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.PauseScheduleGroup, null, groupArn, OperationJson.Write(new GroupPause(group, [])), cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (ReadOnly(group) is { } readOnly)
        {
            return readOnly;
        }

        var enabled = new List<ScheduleDefinition>();
        foreach (var schedule in await catalog.ListAsync(group, cancellationToken).ConfigureAwait(false))
        {
            if (schedule.State == ScheduleState.ENABLED)
            {
                enabled.Add(schedule);
            }
        }

        if (enabled.Count == 0)
        {
            return OperationResult.Conflict("group", $"No schedule in {group} is enabled: there is nothing to pause.");
        }

        var pause = new GroupPause(group, enabled);
        var key = $"pause {groupArn} {string.Join(",", enabled.Select(e => e.Name + "@" + Stamp(e.LastModificationDate)))}";
        return await runner.RecordAndSendAsync(new OperationDraft(OperationKind.PauseScheduleGroup, actor, null, groupArn, OperationJson.Write(pause)),
            IdempotencyKeys.Stored("pause-group", key), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enables again exactly the schedules a pause disabled (not the ones that were disabled before it).</summary>
    public async Task<OperationResult> ResumeGroupAsync(OperationActor actor, long pauseOperationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // The role first: someone who may not act learns nothing about which operations exist.
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.ResumeScheduleGroup, null, null, OperationJson.Write(new { pauseOperationId }), cancellationToken).ConfigureAwait(false) is { } notAllowed)
        {
            return notAllowed;
        }

        var pauseRecord = await ledger.GetAsync(pauseOperationId, cancellationToken).ConfigureAwait(false);
        if (pauseRecord is not { Kind: OperationKind.PauseScheduleGroup })
        {
            return OperationResult.NotFound($"Operation {pauseOperationId} is not a pause of a schedule group.");
        }

        var pause = OperationJson.Read<GroupPause>(pauseRecord.Parameters);
        var resume = pause with { PauseOperationId = pauseOperationId };
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.ResumeScheduleGroup, null, pauseRecord.TargetArn, OperationJson.Write(resume), cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (pauseRecord.Status != OperationStatus.Succeeded)
        {
            return OperationResult.Conflict("operation", $"Pause {pauseOperationId} is {pauseRecord.Status}: only a pause that went through can be resumed.");
        }

        return await runner.RecordAndSendAsync(new OperationDraft(OperationKind.ResumeScheduleGroup, actor, null, pauseRecord.TargetArn, OperationJson.Write(resume)),
            IdempotencyKeys.Stored("resume-group", $"resume {pauseOperationId}"), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings back the schedule as an earlier operation left it (<paramref name="before"/>: as it was before that operation).</summary>
    public async Task<OperationResult> RestoreVersionAsync(OperationActor actor, long operationId, bool before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // The role first: someone who may not act learns nothing about which operations exist.
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.RestoreScheduleVersion, null, null, OperationJson.Write(new { operationId, before }), cancellationToken).ConfigureAwait(false) is { } notAllowed)
        {
            return notAllowed;
        }

        var source = await ledger.GetAsync(operationId, cancellationToken).ConfigureAwait(false);
        var change = source?.Parameters is { } p && source.Kind is OperationKind.CreateSchedule or OperationKind.UpdateSchedule or OperationKind.EnableSchedule or OperationKind.DisableSchedule
            or OperationKind.DeleteSchedule or OperationKind.RestoreScheduleVersion ? OperationJson.Read<ScheduleChange>(p) : null;
        if (source is null || change is null)
        {
            return OperationResult.NotFound($"Operation {operationId} did not change a schedule.");
        }

        var version = before ? change.Before : change.After;
        var draftParameters = OperationJson.Write(change with { Before = null, After = version });
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.RestoreScheduleVersion, WorkflowOf(version?.Target.Arn), source.TargetArn, draftParameters, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (version is null)
        {
            return OperationResult.Invalid("version", before ? $"Operation {operationId} created the schedule: there was no earlier version." : $"Operation {operationId} deleted the schedule: restore the version before it.");
        }

        if (ReadOnly(version.GroupName) is { } readOnly)
        {
            return readOnly;
        }

        var current = await catalog.GetAsync(version.GroupName, version.Name, cancellationToken).ConfigureAwait(false);
        if (current is not null && current.SameAs(version))
        {
            return OperationResult.Conflict("version", "The schedule is already exactly this version.");
        }

        var restore = new ScheduleChange(version.GroupName, version.Name, current, version with { LastModificationDate = null }, current?.LastModificationDate);
        return await SendAsync(actor, OperationKind.RestoreScheduleVersion, restore, $"restore {operationId} {before} {Stamp(current?.LastModificationDate)}", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The checks EventBridge Scheduler makes, each with what exactly is wrong, at the field it belongs to.</summary>
    public async Task<Dictionary<string, string[]>> ValidateAsync(ScheduleDefinition d, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(d);
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];

        if (!NamePattern().IsMatch(d.Name ?? ""))
        {
            Add("name", "A schedule name is 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (!NamePattern().IsMatch(d.GroupName ?? ""))
        {
            Add("group", "A group name is 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        ScheduleExpression? expression = null;
        if (!ScheduleExpression.TryParse(d.ScheduleExpression, out expression, out var expressionError))
        {
            Add("expression", expressionError);
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(d.ScheduleExpressionTimezone ?? "", out _) || !d.ScheduleExpressionTimezone!.Contains('/', StringComparison.Ordinal) && d.ScheduleExpressionTimezone != "UTC")
        {
            Add("timezone", $"'{d.ScheduleExpressionTimezone}' is not an IANA time zone (like Asia/Tokyo, America/New_York or UTC).");
        }

        if (d.FlexibleTimeWindow.Mode == FlexibleTimeWindowMode.FLEXIBLE ? d.FlexibleTimeWindow.MaximumWindowInMinutes is not (>= 1 and <= 1440)
            : d.FlexibleTimeWindow.Mode != FlexibleTimeWindowMode.OFF || d.FlexibleTimeWindow.MaximumWindowInMinutes is not null)
        {
            Add("flexibleWindow", "The flexible window is OFF, or FLEXIBLE with 1 to 1440 minutes.");
        }

        if (d.Target.RetryPolicy?.MaximumEventAgeInSeconds is < 60 or > 86_400)
        {
            Add("maximumEventAge", "Maximum event age is 60 to 86 400 seconds (one minute to one day).");
        }

        if (d.Target.RetryPolicy?.MaximumRetryAttempts is < 0 or > 185)
        {
            Add("maximumRetryAttempts", "Maximum retry attempts is 0 to 185.");
        }

        if (d.Target.DeadLetterConfig?.Arn is { Length: > 0 } dlq && !SqsArnPattern().IsMatch(dlq))
        {
            Add("deadLetterArn", $"'{dlq}' is not an SQS queue ARN (arn:aws:sqs:region:account:queue).");
        }

        if (d.StartDate is { } start && d.EndDate is { } end && start >= end)
        {
            Add("endDate", "The end date must be after the start date.");
        }

        if (d.EndDate is { } endDate && endDate <= time.GetUtcNow())
        {
            Add("endDate", "The end date must be in the future.");
        }

        if (d.State is not (ScheduleState.ENABLED or ScheduleState.DISABLED))
        {
            Add("state", "State is ENABLED or DISABLED.");
        }

        if (d.ActionAfterCompletion is not (Aws.Scheduler.ActionAfterCompletion.NONE or Aws.Scheduler.ActionAfterCompletion.DELETE))
        {
            Add("actionAfterCompletion", "After completion: NONE or DELETE.");
        }
        else if (d.ActionAfterCompletion == Aws.Scheduler.ActionAfterCompletion.DELETE && expression is not AtSchedule && d.EndDate is null)
        {
            Add("actionAfterCompletion", "Delete after completion needs a one-time at() schedule or an end date: a recurring schedule never completes otherwise.");
        }

        if (string.IsNullOrEmpty(d.Target.RoleArn) || !d.Target.RoleArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            Add("roleArn", "The target needs the ARN of the role EventBridge Scheduler assumes to start it (Schedules:TargetRoleArn).");
        }

        if ((d.Target.Input?.Length ?? 0) > MaxInputLength)
        {
            Add("input", $"The input is {d.Target.Input!.Length} characters; EventBridge Scheduler takes at most {MaxInputLength}.");
        }

        var workflow = d.Target.Arn.Contains(":stateMachine:", StringComparison.Ordinal) ? await workflows.DescribeAsync(d.Target.Arn, cancellationToken).ConfigureAwait(false) : null;
        if (workflow is null)
        {
            Add("target", $"'{d.Target.Arn}' is not a state machine this dashboard can see.");
        }
        else if (!errors.ContainsKey("input"))
        {
            foreach (var (field, messages) in ExecutionActions.ValidateInput(workflow, d.Target.Input ?? "{}"))
            {
                errors[field] = messages;
            }
        }

        return errors;
    }

    /// <summary>The role new schedules' targets run with: configured, or the one the existing schedules use.</summary>
    public async Task<string?> DefaultRoleArnAsync(CancellationToken cancellationToken) =>
        Options.TargetRoleArn ?? (await catalog.ListAsync(null, cancellationToken).ConfigureAwait(false)).Select(s => s.Target.RoleArn).FirstOrDefault(r => !string.IsNullOrEmpty(r));

    public OperationResult? ReadOnly(string group) => Options.IsManaged(group)
        ? OperationResult.Conflict("group", $"{group} is deployed by CloudFormation: a change here would be reverted by the next deploy. Copy the schedule into {Options.OperatorGroup} and change the copy.")
        : null;

    private async Task<(ScheduleDefinition? Current, OperationResult? Problem)> LoadForChangeAsync(OperationActor actor, OperationKind kind, string group, string name, CancellationToken cancellationToken)
    {
        var target = $"schedule/{group}/{name}";
        if (await ledger.RefuseUnlessAllowedAsync(actor, kind, null, target, OperationJson.Write(new { group, name }), cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return (null, refused);
        }

        if (ReadOnly(group) is { } readOnly)
        {
            return (null, readOnly);
        }

        var current = await catalog.GetAsync(group, name, cancellationToken).ConfigureAwait(false);
        return current is null ? (null, OperationResult.NotFound($"There is no schedule {group}/{name}.")) : (current, null);
    }

    private Task<OperationResult> SendAsync(OperationActor actor, OperationKind kind, ScheduleChange change, string key, TimeSpan? window, CancellationToken cancellationToken) =>
        runner.RecordAndSendAsync(
            new OperationDraft(kind, actor, WorkflowOf((change.After ?? change.Before)?.Target.Arn), ArnOf(change.After ?? change.Before!), OperationJson.Write(change)),
            IdempotencyKeys.Stored(kind.ToString(), key),
            window,
            cancellationToken);

    private static OperationResult Changed(ScheduleDefinition current) => new(
        OperationResultKind.Conflict,
        Errors: new Dictionary<string, string[]> { ["lastModified"] = [$"Changed elsewhere at {current.LastModificationDate:u} since you opened it: nothing was saved. Review the difference and save again."] },
        Message: $"{current.Name} was changed elsewhere at {current.LastModificationDate:u} since you opened it: nothing was saved.");

    /// <summary>The schedule's ARN as the ledger keys it (region and account are AWS's; the group and name identify it here).</summary>
    public static string ArnOf(ScheduleDefinition d) => $"schedule/{d.GroupName}/{d.Name}";

    private static string GroupArn(string group) => $"schedule-group/{group}";

    /// <summary>The state machine's name when the target is one.</summary>
    public static string? WorkflowOf(string? targetArn) =>
        targetArn?.Contains(":stateMachine:", StringComparison.Ordinal) == true ? targetArn[(targetArn.LastIndexOf(':') + 1)..] : null;

    private static string Stamp(DateTimeOffset? at) => at?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "-";

    [GeneratedRegex("^[0-9a-zA-Z-_.]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")]
    private static partial Regex SqsArnPattern();
}
