using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>What a start or re-run sends: the execution's name is fixed when it is recorded, so every retry asks for the same one.</summary>
public sealed record StartParameters(string StateMachineArn, string Name, string Input, string? RerunOf = null);

/// <summary>The redrive count the execution had when it was asked for: a higher one later confirms a redrive that went through.</summary>
public sealed record RedriveParameters(string ExecutionArn, int? RedriveCount);

public sealed record StopParameters(string ExecutionArn, string? Error, string? Cause);

/// <summary>An answer to the task waiting since <paramref name="ScheduledEventId"/>; the token itself is read from the history when sent, never stored.</summary>
public sealed record CallbackParameters(string ExecutionArn, long ScheduledEventId, string StateName, string? Output, string? Error, string? Cause);

/// <summary>A bulk action: the executions it covers were fixed when it was recorded (its items), at this rate.</summary>
public sealed record BulkParameters(string Action, int Count, double RatePerSecond, string? Filter, string? Error, string? Cause);

/// <summary>The JSON the ledger stores parameters in.</summary>
public static class OperationJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string? json)
        where T : class =>
        json is null ? throw new InvalidOperationException($"The operation has no {typeof(T).Name}.") : JsonSerializer.Deserialize<T>(json, Options)!;
}
