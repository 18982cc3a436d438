using System.Text.Json.Serialization;

namespace BatchOps.Contracts;

/// <summary>One entry of the container environment override, in ECS's shape (passed straight through to RunTask).</summary>
public sealed record EnvironmentVariable(
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("Value")] string Value);

/// <summary>Which execution a re-run was started from; travels in the input so any instance can read lineage back from AWS.</summary>
public sealed record WorkflowLineage([property: JsonPropertyName("rerunOf")] string? RerunOf);

/// <summary>
/// The input every CDK workflow takes: <c>{"commands": [...], "environment": [{"Name","Value"}], "resumeFrom": "state"}</c>.
/// <c>commands</c> becomes the container's command override, <c>environment</c> its environment override, and
/// <c>resumeFrom</c> (optional) picks the step a workflow with a resume router starts at.
/// </summary>
public sealed record WorkflowInput
{
    /// <summary>The input property that carries <see cref="WorkflowLineage"/>; the workflows ignore it.</summary>
    public const string LineageProperty = "_batchops";

    [JsonPropertyName("commands")]
    public IReadOnlyList<string> Commands { get; init; } = [];

    [JsonPropertyName("environment")]
    public IReadOnlyList<EnvironmentVariable> Environment { get; init; } = [];

    [JsonPropertyName("resumeFrom")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResumeFrom { get; init; }

    [JsonPropertyName(LineageProperty)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorkflowLineage? Lineage { get; init; }
}

/// <summary>The environment variable through which a workflow hands the contract's environment to the worker as one JSON array.</summary>
public static class WorkerEnvironment
{
    /// <summary>Used where the ECS override also carries other variables (callback-job's TASK_TOKEN), so ASL cannot concatenate them.</summary>
    public const string ContractEnvironment = "BATCHOPS_ENVIRONMENT";

    public const string TaskToken = "TASK_TOKEN";

    public const string HeartbeatSeconds = "HEARTBEAT_SECONDS";
}

/// <summary>Tags the CDK app puts on its state machines, read by the dashboard.</summary>
public static class WorkflowTags
{
    /// <summary>Which input a state machine takes; <see cref="ContractInput"/> means <see cref="WorkflowInput"/>.</summary>
    public const string Input = "batchops:input";

    public const string ContractInput = "workflow-input";
}

/// <summary>How the workflows name their states where the dashboard reads meaning into the name.</summary>
public static class WorkflowStates
{
    /// <summary>
    /// batch-job's final attempt runs in its own, uncaught copy of the task state ("Run worker (last attempt)"), so an
    /// execution that runs out of retries fails at the task itself and a redrive runs the worker again. The dashboard
    /// counts it as one more attempt of the same state.
    /// </summary>
    public const string LastAttemptSuffix = " (last attempt)";

    /// <summary>The state an attempt belongs to: "Run worker (last attempt)" is an attempt of "Run worker".</summary>
    public static string Logical(string stateName)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        return stateName.EndsWith(LastAttemptSuffix, StringComparison.Ordinal) ? stateName[..^LastAttemptSuffix.Length] : stateName;
    }
}
