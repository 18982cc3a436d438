using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using BatchOps.Sandbox.Asl;

namespace BatchOps.Sandbox.Integrations;

/// <summary>
/// One canned answer for a Task state, in the spirit of Step Functions Local's mock configuration:
/// <c>Return</c> is the result, <c>Submitted</c> the first response of a .sync/.waitForTaskToken call,
/// <c>Error</c>/<c>Cause</c> a failure, and <c>Hang</c> never answers (to exercise timeouts).
/// </summary>
public sealed record CannedResponse(JsonNode? Return = null, JsonNode? Submitted = null, string? Error = null, string? Cause = null, bool Hang = false);

/// <summary>
/// Canned responses for services the sandbox does not emulate (SNS, Lambda, CodeBuild, SQS, ...).
/// Responses are taken per state name first, then per resource ("sns:publish"); a resource with no
/// queued response answers with its default, or fails clearly.
/// </summary>
public sealed class CannedResponses(TaskTokens tokens) : ITaskIntegration
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CannedResponse>> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CannedResponse> _defaults = new(StringComparer.Ordinal);

    /// <summary>Queues a response for the next call by the state named <paramref name="key"/>, or of the resource <paramref name="key"/>.</summary>
    public void Enqueue(string key, CannedResponse response) => _queued.GetOrAdd(key, _ => new()).Enqueue(response);

    /// <summary>The answer whenever nothing is queued, e.g. <c>sns:publish</c> -> a MessageId.</summary>
    public void SetDefault(string resource, CannedResponse response) => _defaults[resource] = response;

    public bool Handles(string resourceType, string action) => true;

    public async Task<JsonNode?> StartAsync(TaskCall call, CancellationToken cancellationToken)
    {
        var response = Take(call) ?? throw new StatesException(AslErrors.Runtime, $"The sandbox does not emulate '{call.ResourceType}:{call.Action}' and no canned response is configured for state '{call.StateName}' (configure Sandbox:CannedResponses).");
        if (call.Pattern.Length == 0)
        {
            return await Answer(response, cancellationToken).ConfigureAwait(false);
        }

        if (call.Pattern == "waitForTaskToken" && call.TaskToken is { } token)
        {
            // The callback arrives "later", as a real consumer of the message would send it.
            if (response.Error is not null)
            {
                tokens.Fail(token, Interpreter.NullIfEmpty(response.Error), Interpreter.NullIfEmpty(response.Cause));
            }
            else if (!response.Hang)
            {
                tokens.Succeed(token, response.Return?.DeepClone());
            }

            return response.Submitted?.DeepClone() ?? new JsonObject();
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
