using System.Globalization;
using BatchOps.Aws.Scheduler;
using BatchOps.Dashboard.Features.Executions.Actions;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>
/// Create a schedule, copy one, or edit one: an expression builder beside the raw expression, the next ten fire times
/// with what clock changes do to them, the target's input through the same editor as Start, and every other field.
/// Saving replaces the whole schedule, and is refused when someone changed it since the form was opened.
/// </summary>
public sealed partial class ScheduleEditPage
{
    private static readonly string[] Zones = [.. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/', StringComparison.Ordinal)).Append("UTC").Order(StringComparer.Ordinal)];

    private bool loaded;
    private string? loadProblem;
    private ScheduleDefinition? baseDefinition;

    /// <summary>The target as loaded (an edit's or a copy's): its role and the parameters the form does not show are kept.</summary>
    private Target? loadedTarget;
    private ScheduleDefinition? changedElsewhere;
    private IReadOnlyList<WorkflowChoice> workflows = [];
    private WorkflowDescription? workflow;
    private IReadOnlyDictionary<string, string[]>? errors;
    private OperationResult? result;
    private bool submitting;

    // The form.
    private string group = "";
    private string name = "";
    private string expression = "cron(0 5 * * ? *)";
    private string timezone = "UTC";
    private bool enabled = true;
    private string? description;
    private string? targetArn;
    private WorkflowInputForm input = new();
    private string json = "{}";
    private bool flexible;
    private int? flexibleMinutes = 15;
    private int? maximumEventAge;
    private int? maximumRetryAttempts;
    private string? deadLetterArn;
    private DateTime? startDate;
    private DateTime? endDate;
    private string actionAfterCompletion = Aws.Scheduler.ActionAfterCompletion.NONE;

    // The builder.
    private string builderKind = "daily";
    private TimeSpan? builderTime = new TimeSpan(5, 0, 0);
    private int builderEvery = 15;
    private string builderUnit = "minutes";
    private DateTime? builderDate = DateTime.Today.AddDays(1);

    [Parameter] public string? Group { get; set; }
    [Parameter] public string? Name { get; set; }

    [SupplyParameterFromQuery(Name = "copyGroup")] public string? CopyGroup { get; set; }
    [SupplyParameterFromQuery(Name = "copyName")] public string? CopyName { get; set; }

    [Inject] public required ScheduleCatalog Catalog { get; init; }
    [Inject] public required ScheduleActions Actions { get; init; }
    [Inject] public required WorkflowCatalog Workflows { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required IOptions<ScheduleOptions> Options { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    private bool IsNew => Name is null;

    private string Title => IsNew ? (CopyName is null ? "New schedule" : $"Copy {CopyName} into {Options.Value.OperatorGroup}") : $"Edit {Name}";

    protected override async Task OnParametersSetAsync()
    {
        workflows = await Workflows.ListAsync(CancellationToken.None);
        ScheduleDefinition? source = null;
        if (!IsNew)
        {
            source = await Catalog.GetAsync(Group!, Name!, CancellationToken.None);
            if (source is null)
            {
                loadProblem = $"There is no schedule {Group}/{Name}.";
            }
            else if (Actions.ReadOnly(Group!) is { } readOnly)
            {
                loadProblem = readOnly.Message;
            }

            baseDefinition = source;
        }
        else if (CopyGroup is not null && CopyName is not null)
        {
            source = await Catalog.GetAsync(CopyGroup, CopyName, CancellationToken.None);
            loadProblem = source is null ? $"There is no schedule {CopyGroup}/{CopyName} to copy." : null;
            source = source is null ? null : source with { GroupName = Options.Value.OperatorGroup, LastModificationDate = null };
        }

        if (source is not null)
        {
            await LoadAsync(source);
        }
        else
        {
            group = Options.Value.OperatorGroup;
            targetArn ??= workflows.Count > 0 ? workflows[0].Arn : null;
            // As on Start: one argument to fill in.
            input = new WorkflowInputForm();
            input.Commands.Add(new ArgumentRow());
            await DescribeTargetAsync();
        }

        loaded = true;
    }

    private async Task LoadAsync(ScheduleDefinition d)
    {
        group = d.GroupName;
        name = d.Name;
        expression = d.ScheduleExpression;
        timezone = d.ScheduleExpressionTimezone;
        enabled = d.State == ScheduleState.ENABLED;
        description = d.Description;
        targetArn = d.Target.Arn;
        loadedTarget = d.Target;
        json = d.Target.Input ?? "{}";
        input = WorkflowInputForm.Parse(d.Target.Input);
        flexible = d.FlexibleTimeWindow.Mode == FlexibleTimeWindowMode.FLEXIBLE;
        flexibleMinutes = d.FlexibleTimeWindow.MaximumWindowInMinutes ?? 15;
        maximumEventAge = d.Target.RetryPolicy?.MaximumEventAgeInSeconds;
        maximumRetryAttempts = d.Target.RetryPolicy?.MaximumRetryAttempts;
        deadLetterArn = d.Target.DeadLetterConfig?.Arn;
        startDate = d.StartDate?.UtcDateTime;
        endDate = d.EndDate?.UtcDateTime;
        actionAfterCompletion = d.ActionAfterCompletion;
        await DescribeTargetAsync();
    }

    private async Task DescribeTargetAsync()
    {
        workflow = targetArn is null ? null : await Workflows.DescribeAsync(targetArn, CancellationToken.None);
    }

    private async Task TargetChangedAsync(string arn)
    {
        targetArn = arn;
        await DescribeTargetAsync();
    }

    private string Input => workflow?.TakesContractInput == true ? input.ToJson() : json;

    private string? Error(string field) => errors?.GetValueOrDefault(field) is { } e ? string.Join(" ", e) : null;

    /// <summary>The builder's choice as an expression, written into the raw field (which is what is saved).</summary>
    private void ApplyBuilder()
    {
        var t = builderTime ?? TimeSpan.Zero;
        expression = builderKind switch
        {
            "weekdays" => $"cron({t.Minutes} {t.Hours} ? * MON-FRI *)",
            "rate" => builderEvery == 1 ? $"rate(1 {builderUnit.TrimEnd('s')})" : $"rate({builderEvery} {builderUnit})",
            "once" => $"at({(builderDate ?? DateTime.Today).Date.Add(t):yyyy-MM-ddTHH:mm:ss})",
            _ => $"cron({t.Minutes} {t.Hours} * * ? *)",
        };
    }

    private ScheduleDefinition Build()
    {
        var baseTarget = baseDefinition?.Target ?? loadedTarget;
        var roleArn = baseTarget?.RoleArn ?? "";
        var target = (baseTarget ?? new Target { Arn = targetArn ?? "", RoleArn = roleArn }) with
        {
            Arn = targetArn ?? "",
            Input = Input,
            RetryPolicy = maximumEventAge is null && maximumRetryAttempts is null ? null : new RetryPolicy { MaximumEventAgeInSeconds = maximumEventAge, MaximumRetryAttempts = maximumRetryAttempts },
            DeadLetterConfig = string.IsNullOrWhiteSpace(deadLetterArn) ? null : new DeadLetterConfig { Arn = deadLetterArn.Trim() },
        };
        return (baseDefinition ?? new ScheduleDefinition { GroupName = group, Name = name, ScheduleExpression = expression, FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF }, Target = target }) with
        {
            GroupName = group.Trim(),
            Name = name.Trim(),
            ScheduleExpression = expression,
            ScheduleExpressionTimezone = timezone,
            State = enabled ? ScheduleState.ENABLED : ScheduleState.DISABLED,
            Description = string.IsNullOrWhiteSpace(description) ? null : description,
            StartDate = startDate is { } s ? new DateTimeOffset(DateTime.SpecifyKind(s, DateTimeKind.Utc)) : null,
            EndDate = endDate is { } e ? new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)) : null,
            FlexibleTimeWindow = flexible ? new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.FLEXIBLE, MaximumWindowInMinutes = flexibleMinutes } : new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF },
            Target = target,
            ActionAfterCompletion = actionAfterCompletion,
            LastModificationDate = null,
        };
    }

    private async Task SaveAsync()
    {
        submitting = true;
        changedElsewhere = null;
        try
        {
            var definition = Build();
            if (string.IsNullOrEmpty(definition.Target.RoleArn))
            {
                definition = definition with { Target = definition.Target with { RoleArn = await Actions.DefaultRoleArnAsync(CancellationToken.None) ?? "" } };
            }

            result = await Actions.SaveAsync(await Operator.GetAsync(), new ScheduleSaveRequest(definition, IsNew, baseDefinition?.LastModificationDate), CancellationToken.None);
            errors = result.Errors;
            if (result.Succeeded)
            {
                Navigation.NavigateTo(DashboardUrls.Schedule(definition.GroupName, definition.Name));
            }
            else if (errors?.ContainsKey("lastModified") == true)
            {
                changedElsewhere = await Catalog.GetAsync(Group!, Name!, CancellationToken.None);
            }
        }
        finally
        {
            submitting = false;
        }
    }

    /// <summary>After a refused save: start again from the version that is there now (the edits are lost; the diff shows them).</summary>
    private async Task StartOverAsync()
    {
        if (changedElsewhere is { } current)
        {
            baseDefinition = current;
            changedElsewhere = null;
            errors = null;
            result = null;
            await LoadAsync(current);
        }
    }

    private static Task<IEnumerable<string>> SearchZonesAsync(string? text, CancellationToken cancellationToken) =>
        Task.FromResult(string.IsNullOrWhiteSpace(text) ? Zones.AsEnumerable() : Zones.Where(z => z.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static string Format(DateTimeOffset? at) => at?.ToString("u", CultureInfo.InvariantCulture) ?? "";
}
