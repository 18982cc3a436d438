using System.Collections.Concurrent;
using System.Net;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Hosting;

/// <summary>What an injected API fault does to the next call(s) of an operation.</summary>
public enum ApiFaultKind
{
    Throttle,
    ServerError,
    Latency,

    /// <summary>AccessDeniedException, as IAM answers a role whose policies do not allow the call.</summary>
    AccessDenied,

    /// <summary>A list call answers with the page token it was given (a service bug clients must not loop on).</summary>
    RepeatPageToken,
}

/// <summary>One injected API fault, as configuration (Sandbox:Faults) or the admin endpoint describes it.</summary>
public sealed record ApiFault(string Operation, ApiFaultKind Kind, int Count = 1, int LatencyMilliseconds = 0);

/// <summary>
/// Faults no real account produces on demand: the next N calls of an operation (e.g. "StartExecution",
/// "RunTask", "CreateSchedule") are throttled, fail with 500, or are delayed.
/// </summary>
public sealed class ApiFaults(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ApiFault>> _pending = new(StringComparer.Ordinal);

    public void Inject(ApiFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Count, 1);
        var queue = _pending.GetOrAdd(fault.Operation, _ => new());
        for (var i = 0; i < fault.Count; i++)
        {
            queue.Enqueue(fault);
        }
    }

    /// <summary>Applies the next fault queued for <paramref name="operation"/>, if any; returns the kinds that change the answer instead of refusing it.</summary>
    public async Task<ApiFaultKind?> ApplyAsync(string operation, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(operation, out var queue) || !queue.TryDequeue(out var fault))
        {
            return null;
        }

        switch (fault.Kind)
        {
            case ApiFaultKind.Throttle:
                throw new SandboxErrorException("ThrottlingException", "Rate exceeded");
            case ApiFaultKind.ServerError:
                throw new SandboxErrorException("InternalServerException", "An internal error occurred (injected by the sandbox).", HttpStatusCode.InternalServerError);
            case ApiFaultKind.AccessDenied:
                throw new SandboxErrorException("AccessDeniedException",
                    $"User: arn:aws:sts::000000000000:assumed-role/sandbox/caller is not authorized to perform: {operation} because no identity-based policy allows the {operation} action (injected by the sandbox)");
            case ApiFaultKind.RepeatPageToken:
                return fault.Kind;
            default:
                await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMilliseconds), time, cancellationToken).ConfigureAwait(false);
                return fault.Kind;
        }
    }
}
