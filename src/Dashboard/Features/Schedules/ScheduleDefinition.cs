using System.Text.Json;
using BatchOps.Aws.Scheduler;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>
/// Every field of a schedule that UpdateSchedule takes. UpdateSchedule replaces the whole schedule, so an edit starts
/// from all of them (the target's parameters we do not edit included) and sends all of them back.
/// </summary>
public sealed record ScheduleDefinition
{
    public required string GroupName { get; init; }
    public required string Name { get; init; }
    public required string ScheduleExpression { get; init; }
    public string ScheduleExpressionTimezone { get; init; } = "UTC";
    public string State { get; init; } = ScheduleState.ENABLED;
    public string? Description { get; init; }
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public required FlexibleTimeWindow FlexibleTimeWindow { get; init; }
    public required Target Target { get; init; }
    public string ActionAfterCompletion { get; init; } = Aws.Scheduler.ActionAfterCompletion.NONE;
    public string? KmsKeyArn { get; init; }

    /// <summary>When AWS last changed it (read back, never sent): an edit based on an older one is refused.</summary>
    public DateTimeOffset? LastModificationDate { get; init; }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static ScheduleDefinition From(GetScheduleResponse s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new()
        {
            GroupName = s.GroupName ?? "default",
            Name = s.Name!,
            ScheduleExpression = s.ScheduleExpression!,
            ScheduleExpressionTimezone = s.ScheduleExpressionTimezone ?? "UTC",
            State = s.State ?? ScheduleState.ENABLED,
            Description = s.Description,
            StartDate = s.StartDate,
            EndDate = s.EndDate,
            FlexibleTimeWindow = s.FlexibleTimeWindow ?? new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF },
            Target = s.Target!,
            ActionAfterCompletion = s.ActionAfterCompletion ?? Aws.Scheduler.ActionAfterCompletion.NONE,
            KmsKeyArn = s.KmsKeyArn,
            LastModificationDate = s.LastModificationDate,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ScheduleDefinition FromJson(string json) => JsonSerializer.Deserialize<ScheduleDefinition>(json, Json) ?? throw new JsonException("No schedule definition.");

    /// <summary>The same schedule, whenever it was last modified.</summary>
    public bool SameAs(ScheduleDefinition other) => (this with { LastModificationDate = null }).ToJson() == (other with { LastModificationDate = null }).ToJson();

    /// <summary>Pretty JSON of what is sent (for the diff of two versions).</summary>
    public string ToDisplayJson() => Executions.Actions.JsonPreview.Pretty((this with { LastModificationDate = null }).ToJson());

    public CreateScheduleRequest ToCreate(string clientToken) => new()
    {
        Name = Name, GroupName = GroupName, ScheduleExpression = ScheduleExpression, ScheduleExpressionTimezone = ScheduleExpressionTimezone, State = State,
        Description = Description, StartDate = StartDate, EndDate = EndDate, FlexibleTimeWindow = FlexibleTimeWindow, Target = Target,
        ActionAfterCompletion = ActionAfterCompletion, KmsKeyArn = KmsKeyArn, ClientToken = clientToken,
    };

    public UpdateScheduleRequest ToUpdate(string clientToken) => new()
    {
        Name = Name, GroupName = GroupName, ScheduleExpression = ScheduleExpression, ScheduleExpressionTimezone = ScheduleExpressionTimezone, State = State,
        Description = Description, StartDate = StartDate, EndDate = EndDate, FlexibleTimeWindow = FlexibleTimeWindow, Target = Target,
        ActionAfterCompletion = ActionAfterCompletion, KmsKeyArn = KmsKeyArn, ClientToken = clientToken,
    };
}
