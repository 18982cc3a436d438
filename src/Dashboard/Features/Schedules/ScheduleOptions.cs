using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>The <c>Schedules</c> section: which schedule groups the dashboard shows and where operators' schedules live.</summary>
public sealed class ScheduleOptions : IValidatableObject
{
    public const string SectionName = "Schedules";

    /// <summary>The group the dashboard creates operators' schedules in (and creates if missing). CloudFormation never touches it.</summary>
    [Required, RegularExpression("^[0-9a-zA-Z-_.]{1,64}$")]
    public string OperatorGroup { get; set; } = "batchops-operator";

    /// <summary>Groups a CloudFormation stack deploys: shown read-only (a deploy would revert an edit), and copyable.</summary>
    public List<string> ManagedGroups { get; set; } = ["batchops-managed"];

    /// <summary>The groups shown; empty for every group in the account and region.</summary>
    public List<string> Groups { get; set; } = [];

    /// <summary>The role EventBridge Scheduler assumes to start the target (new schedules); unset: the role of the copied or first known schedule.</summary>
    public string? TargetRoleArn { get; set; }

    /// <summary>How often schedules are read from AWS.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How far back "Did it run?" looks.</summary>
    public TimeSpan RunsWindow { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long after a fire time (beyond the flexible window) its execution may start and still count as its run.</summary>
    public TimeSpan RunGrace { get; set; } = TimeSpan.FromMinutes(2);

    public bool Shows(string group) => Groups.Count == 0 || Groups.Contains(group) || group == OperatorGroup;

    public bool IsManaged(string group) => ManagedGroups.Contains(group);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ManagedGroups.Contains(OperatorGroup))
        {
            yield return new ValidationResult($"Schedules:OperatorGroup '{OperatorGroup}' cannot also be a managed (CloudFormation) group.", [nameof(OperatorGroup)]);
        }

        if (SyncInterval < TimeSpan.FromSeconds(5) || RunsWindow <= TimeSpan.Zero || RunGrace < TimeSpan.Zero)
        {
            yield return new ValidationResult("Schedules:SyncInterval must be at least 5 s, RunsWindow positive and RunGrace not negative.");
        }
    }
}
