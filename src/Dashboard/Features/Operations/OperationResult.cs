using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Operations;

public enum OperationResultKind
{
    /// <summary>Carried out (or found already carried out: the same request again); see the operation's status.</summary>
    Done,

    /// <summary>Accepted and still being carried out (AWS throttled or did not answer; recovery keeps trying), or a bulk action queued.</summary>
    Accepted,

    /// <summary>Bad input: nothing was written or sent.</summary>
    Invalid,

    /// <summary>The user lacks the role: recorded as refused, nothing sent.</summary>
    Refused,

    /// <summary>The execution or state machine does not exist.</summary>
    NotFound,

    /// <summary>The target is not in a state that allows it (not redrivable, not running, not waiting for a callback).</summary>
    Conflict,
}

/// <summary>What happened to a request: the operation (when one was recorded), or the field errors, or why not.</summary>
public sealed record OperationResult(OperationResultKind Kind, OperationView? Operation = null, IReadOnlyDictionary<string, string[]>? Errors = null, string? Message = null)
{
    public static OperationResult Invalid(string field, string message) => new(OperationResultKind.Invalid, Errors: new Dictionary<string, string[]> { [field] = [message] }, Message: message);

    public static OperationResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(OperationResultKind.Invalid, Errors: errors, Message: string.Join(" ", errors.SelectMany(e => e.Value)));

    public static OperationResult NotFound(string message) => new(OperationResultKind.NotFound, Message: message);

    public static OperationResult Conflict(string field, string message) => new(OperationResultKind.Conflict, Errors: new Dictionary<string, string[]> { [field] = [message] }, Message: message);

    /// <summary>True when AWS was asked and said yes (now, or earlier for the same request).</summary>
    public bool Succeeded => Kind == OperationResultKind.Done && Operation?.Status == OperationStatus.Succeeded;
}

/// <summary>An operation as the pages and the API show it.</summary>
public sealed record OperationView(
    long Id,
    OperationKind Kind,
    string Actor,
    DateTimeOffset RequestedAt,
    OperationStatus Status,
    string? Workflow,
    string? TargetArn,
    string? Parameters,
    long? ParentId,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? ResultArn,
    string? Result,
    string? ErrorCode,
    string? ErrorMessage,
    string? AwsRequestId,
    string? CancelRequestedBy,
    bool Repeated = false,
    string? ActorId = null)
{
    public static OperationView From(OperationRecord r, bool repeated = false)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.Kind, r.Actor, r.RequestedAt, r.Status, r.Workflow, r.TargetArn, r.Parameters, r.ParentId, r.Attempts, r.StartedAt, r.CompletedAt,
            r.ResultArn, r.Result, r.ErrorCode, r.ErrorMessage, r.AwsRequestId, r.CancelRequestedBy, repeated, r.ActorId);
    }

    public bool IsFinal => Status is OperationStatus.Succeeded or OperationStatus.Failed or OperationStatus.Refused or OperationStatus.Cancelled;
}
