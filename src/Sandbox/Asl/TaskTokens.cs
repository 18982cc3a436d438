using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Outstanding task tokens (WAIT_FOR_TASK_TOKEN), completed by SendTaskSuccess/Failure and kept alive by heartbeats.</summary>
public sealed class TaskTokens
{
    private readonly ConcurrentDictionary<string, Waiter> _waiting = new(StringComparer.Ordinal);

    public sealed class Waiter
    {
        internal TaskCompletionSource<JsonNode?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Signalled on every heartbeat so the heartbeat timeout restarts.</summary>
        internal Action? Heartbeat { get; set; }

        public Task<JsonNode?> Result => Completion.Task;

        /// <summary>The state machine whose task holds the token: what SendTask* calls are authorized on.</summary>
        public string? StateMachineArn { get; init; }
    }

    public (string Token, Waiter Waiter) Issue(string? stateMachineArn = null)
    {
        // Real tokens are long opaque base64 strings; the shape matters to clients that store them.
        var token = "AQC" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(120));
        var waiter = new Waiter { StateMachineArn = stateMachineArn };
        _waiting[token] = waiter;
        return (token, waiter);
    }

    public void Forget(string token) => _waiting.TryRemove(token, out _);

    public string? StateMachineOf(string token) => _waiting.TryGetValue(token, out var w) ? w.StateMachineArn : null;

    public bool Exists(string token) => _waiting.ContainsKey(token);

    public bool Succeed(string token, JsonNode? output) => _waiting.TryRemove(token, out var w) && w.Completion.TrySetResult(output);

    public bool Fail(string token, string? error, string? cause) =>
        _waiting.TryRemove(token, out var w) && w.Completion.TrySetException(new StatesException(error, cause));

    public bool Heartbeat(string token)
    {
        if (!_waiting.TryGetValue(token, out var w))
        {
            return false;
        }

        w.Heartbeat?.Invoke();
        return true;
    }
}
