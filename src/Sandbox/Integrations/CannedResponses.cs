using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using BatchOps.Sandbox.Asl;

namespace BatchOps.Sandbox.Integrations;

/// <summary>
/// One canned answer for a Task state, in the spirit of Step Functions Local's mock configuration:
/// <c>Return</c> is the result (for .waitForTaskToken, the service's answer to the call, e.g. SNS's MessageId),
/// <c>Submitted</c> the first response of a .sync call, <c>Error</c>/<c>Cause</c> a failure, and <c>Hang</c> never
/// answers (to exercise timeouts). A .waitForTaskToken task waits for SendTaskSuccess, SendTaskFailure or its
/// timeouts, as in AWS; <c>Callback</c> makes the message's consumer answer at once with that output instead.
/// </summary>
public sealed record CannedResponse(JsonNode? Return = null, JsonNode? Submitted = null, string? Error = null, string? Cause = null, bool Hang = false, JsonNode? Callback = null);

/// <summary>A call the sandbox answered with a canned response: what a consumer of the real message would have received, task token included.</summary>
public sealed record CannedCall(string ExecutionArn, string StateName, string Resource, JsonNode? Parameters, string? TaskToken, DateTimeOffset At);

/// <summary>
/// Canned responses for services the sandbox does not emulate (SNS, Lambda, CodeBuild, SQS, ...).
/// Responses are taken per state name first, then per resource ("sns:publish"); a resource with no
/// queued response answers with its default, or fails clearly.
/// </summary>
public sealed class CannedResponses(TaskTokens tokens, TimeProvider? time = null) : ITaskIntegration
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CannedResponse>> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CannedResponse> _defaults = new(StringComparer.Ordinal);

    /// <summary>Queues a response for the next call by the state named <paramref name="key"/>, or of the resource <paramref name="key"/>.</summary>
    public void Enqueue(string key, CannedResponse response) => _queued.GetOrAdd(key, _ => new()).Enqueue(response);

    /// <summary>The answer whenever nothing is queued, e.g. <c>sns:publish</c> -> a MessageId.</summary>
    public void SetDefault(string resource, CannedResponse response) => _defaults[resource] = response;

    /// <summary>How many answered calls are kept for <see cref="Calls"/> (the oldest go first).</summary>
    public const int MaxRecordedCalls = 1000;

    private readonly ConcurrentQueue<CannedCall> _calls = new();

    public bool Handles(string resourceType, string action) => true;

    /// <summary>The calls answered so far, oldest first (at most <see cref="MaxRecordedCalls"/>).</summary>
    public IReadOnlyList<CannedCall> Calls => [.. _calls];

    private void Record(TaskCall call)
    {
        _calls.Enqueue(new CannedCall(call.Execution.ExecutionArn, call.StateName, call.ResourceArn, call.Parameters?.DeepClone(), call.TaskToken, (time ?? TimeProvider.System).GetUtcNow()));
        while (_calls.Count > MaxRecordedCalls && _calls.TryDequeue(out _))
        {
        }
    }

    public async Task<JsonNode?> StartAsync(TaskCall call, CancellationToken cancellationToken)
    {
        var response = Take(call) ?? throw new StatesException(AslErrors.Runtime, $"The sandbox does not emulate '{call.ResourceType}:{call.Action}' and no canned response is configured for state '{call.StateName}' (configure Sandbox:CannedResponses).");
        Record(call);
        if (call.Pattern.Length == 0)
        {
            return await Answer(response, cancellationToken).ConfigureAwait(false);
        }

        if (call.Pattern == "waitForTaskToken" && call.TaskToken is { } token)
        {
            // The message went out (its answer is the service's, e.g. a MessageId); the task now waits for whoever
            // received it to call SendTaskSuccess or SendTaskFailure, unless the response plays that consumer.
            if (response.Error is not null)
            {
                tokens.Fail(token, Interpreter.NullIfEmpty(response.Error), Interpreter.NullIfEmpty(response.Cause));
            }
            else if (response.Callback is not null)
            {
                tokens.Succeed(token, response.Callback.DeepClone());
            }

            return (response.Submitted ?? response.Return)?.DeepClone() ?? new JsonObject();
        }

        _pending[call] = response;
        return response.Submitted?.DeepClone() ?? new JsonObject();
    }

    private readonly ConcurrentDictionary<TaskCall, CannedResponse> _pending = new(ReferenceEqualityComparer.Instance);

    public async Task<JsonNode?> WaitAsync(TaskCall call, JsonNode? started, CancellationToken cancellationToken)
    {
        var response = _pending.TryRemove(call, out var pending) ? pending : new CannedResponse(Return: started);
        return await Answer(response, cancellationToken).ConfigureAwait(false);
    }

    public Task CancelAsync(TaskCall call, JsonNode? started)
    {
        _pending.TryRemove(call, out _);
        return Task.CompletedTask;
    }

    private CannedResponse? Take(TaskCall call)
    {
        foreach (var key in new[] { call.StateName, $"{call.ResourceType}:{call.Resource}", $"{call.ResourceType}:{call.Action}" })
        {
            if (_queued.TryGetValue(key, out var queue) && queue.TryDequeue(out var response))
            {
                return response;
            }
        }

        return _defaults.GetValueOrDefault($"{call.ResourceType}:{call.Resource}") ?? _defaults.GetValueOrDefault($"{call.ResourceType}:{call.Action}");
    }

    private static async Task<JsonNode?> Answer(CannedResponse response, CancellationToken cancellationToken)
    {
        if (response.Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        return response.Error is not null ? throw new StatesException(response.Error, response.Cause ?? string.Empty) : response.Return?.DeepClone();
    }
}
