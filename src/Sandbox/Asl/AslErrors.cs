namespace BatchOps.Sandbox.Asl;

/// <summary>The predefined error names of the Amazon States Language.</summary>
public static class AslErrors
{
    public const string All = "States.ALL";
    public const string TaskFailed = "States.TaskFailed";
    public const string Timeout = "States.Timeout";
    public const string HeartbeatTimeout = "States.HeartbeatTimeout";
    public const string Runtime = "States.Runtime";
    public const string NoChoiceMatched = "States.NoChoiceMatched";
    public const string IntrinsicFailure = "States.IntrinsicFailure";
    public const string ParameterPathFailure = "States.ParameterPathFailure";
    public const string ResultPathMatchFailure = "States.ResultPathMatchFailure";
    public const string ExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold";
    public const string BranchFailed = "States.BranchFailed";
    public const string Permissions = "States.Permissions";
    public const string DataLimitExceeded = "States.DataLimitExceeded";
    public const string Aborted = "States.Aborted";
}

/// <summary>A failure inside an execution: an ASL error name and cause, catchable by Retry/Catch.</summary>
public sealed class StatesException(string? error, string? cause) : Exception($"{error}: {cause}")
{
    /// <summary>The error name; empty when the failure carried none (SendTaskFailure without an error).</summary>
    public string Error { get; } = error ?? string.Empty;

    public string Cause { get; } = cause ?? string.Empty;

    /// <summary>The error and cause exactly as given: a Catch shows a missing one as null.</summary>
    public string? RawError { get; } = error;

    public string? RawCause { get; } = cause;

    /// <summary>Raised by a Fail state: Retry and Catch do not apply to it.</summary>
    public bool IsFailState { get; init; }
}
