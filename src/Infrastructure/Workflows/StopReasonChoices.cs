using System.Globalization;
using System.Text.Json.Nodes;
using BatchOps.Contracts.StopReasons;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>
/// ASL generated from the contract's <see cref="StopReasonTable"/>: the batch-job retry choice (one Choice rule per table
/// row, in order, so the first match wins as in the dashboard's classifier) and the callback-job's retried errors.
/// </summary>
public static class StopReasonChoices
{
    /// <summary>Where the failed runTask.sync's stopped task is, once the retry loop has parsed it.</summary>
    public const string StoppedTask = "$.stopped";

    public static string PathOf(StopFact fact) => fact switch
    {
        StopFact.StoppedReason => StoppedTask + ".StoppedReason",
        StopFact.ContainerReason => StoppedTask + ".Containers[0].Reason",
        StopFact.StopCode => StoppedTask + ".StopCode",
        StopFact.ExitCode => StoppedTask + ".Containers[0].ExitCode",
        _ => throw new ArgumentOutOfRangeException(nameof(fact), fact, "Task-error rules are Retry error names, not Choice rules."),
    };

    /// <summary>
    /// Choice rules: out of attempts gives up; then each task rule sends its match to <paramref name="retry"/> or
    /// <paramref name="giveUp"/>. Every comparison is guarded by IsPresent: ECS leaves out what it does not know.
    /// </summary>
    public static JsonArray Build(int maxAttempts, string retry, string giveUp)
    {
        var choices = new JsonArray(new JsonObject { ["Variable"] = "$.attempt", ["NumericGreaterThanEquals"] = maxAttempts, ["Next"] = giveUp });
        foreach (var rule in StopReasonTable.TaskRules)
        {
            var path = PathOf(rule.Fact);
            JsonObject test = (rule.Fact, rule.Pattern) switch
            {
                (StopFact.ExitCode, StopReasonRule.Any) => new() { ["Variable"] = path, ["IsNumeric"] = true },
                (StopFact.ExitCode, var n) => new() { ["Variable"] = path, ["NumericEquals"] = int.Parse(n, CultureInfo.InvariantCulture) },
                (StopFact.StopCode, StopReasonRule.Any) => new() { ["Variable"] = path, ["IsString"] = true },
                (StopFact.StopCode, var code) => new() { ["Variable"] = path, ["StringEquals"] = code },
                (_, var glob) => new() { ["Variable"] = path, ["StringMatches"] = glob },
            };
            choices.Add(new JsonObject
            {
                ["And"] = new JsonArray(new JsonObject { ["Variable"] = path, ["IsPresent"] = true }, test),
                ["Next"] = rule.Retryable ? retry : giveUp,
            });
        }

        return choices;
    }

    /// <summary>The error names a task-token worker reports that the table calls retryable (callback-job's Retry).</summary>
    public static JsonArray RetryableErrors() =>
        new([.. StopReasonTable.ErrorRules.Where(r => r.Retryable).Select(r => (JsonNode)JsonValue.Create(r.Pattern))]);
}
