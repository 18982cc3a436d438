using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>One call of a Task state's resource.</summary>
public sealed record TaskCall(
    string ResourceArn,
    string ResourceType,
    string Resource,
    string Action,
    string Pattern,
    JsonNode? Parameters,
    ExecutionInfo Execution,
    string StateName,
    string? TaskToken);

/// <summary>
/// What a Task state calls: ECS, nested Step Functions executions, canned responses. <see cref="StartAsync"/>
/// makes the API call; <see cref="WaitAsync"/> waits for the job to finish (the .sync patterns).
/// Failures are <see cref="StatesException"/>s with the service's error name and cause.
/// </summary>
public interface ITaskIntegration
{
    bool Handles(string resourceType, string action);

    Task<JsonNode?> StartAsync(TaskCall call, CancellationToken cancellationToken);

    Task<JsonNode?> WaitAsync(TaskCall call, JsonNode? started, CancellationToken cancellationToken);

    /// <summary>The state timed out or the execution stopped: stop what was started (ECS StopTask, StopExecution).</summary>
    Task CancelAsync(TaskCall call, JsonNode? started);
}

/// <summary>The execution the interpreter runs, as the context object ($$.Execution) shows it.</summary>
public sealed record ExecutionInfo(
    string ExecutionArn,
    string Name,
    string StateMachineArn,
    string StateMachineName,
    string RoleArn,
    DateTimeOffset StartTime,
    string Region,
    string Account,
    JsonNode? Input,
    int RedriveCount);
