using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// Task: calls its resource through an integration (request-response, .sync, or .waitForTaskToken), with timeouts and
/// heartbeats, and records the Task* (or, for Lambda function ARNs, the older LambdaFunction*) events.
/// </summary>
internal sealed class TaskExecutor(ITaskIntegration[] integrations, TaskTokens tokens, TimeProvider time) : StateExecutor<TaskState>
{
    protected override async Task<StateOutcome> ExecuteAsync(TaskState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var history = run.History;
        var cursor = run.Cursor;
        var (resourceType, resource, action, pattern) = ParseResource(state.Resource);
        var effective = state.InputPath.Apply(input, run.Bind(input));
        string? token = null;
        TaskTokens.Waiter? waiter = null;
        // Step Functions puts a task token in the context object of .sync and callback tasks alike; only
        // .waitForTaskToken waits for it.
        if (pattern.Length > 0)
        {
            (token, waiter) = tokens.Issue(run.Scope.Execution.StateMachineArn);
            run.TaskToken = token;
        }

        try
        {
            var bindings = run.Bind(effective);
            var parameters = state.Parameters is { } template ? template.Evaluate(bindings) : effective;
            var timeout = Seconds(state.TimeoutSeconds, bindings);
            var heartbeat = Seconds(state.HeartbeatSeconds, bindings);
            var credentials = state.Credentials?.Evaluate(bindings) is JsonObject c && c["RoleArn"] is JsonValue role ? new TaskCredentials { RoleArn = role.ToString() } : null;
            if (state.Resource.StartsWith("arn:aws:lambda:", StringComparison.Ordinal))
            {
                var lambdaResult = await LegacyLambdaAsync(state, parameters, timeout, run, cancellationToken).ConfigureAwait(false);
                return Shape(state, input, lambdaResult, run);
            }

            history.Add(cursor, HistoryEventType.TaskScheduled, e => e with
            {
                TaskScheduledEventDetails = new TaskScheduledEventDetails
                {
                    ResourceType = resourceType,
                    Resource = resource,
                    Region = run.Scope.Execution.Region,
                    Parameters = Interpreter.Json(parameters),
                    TimeoutInSeconds = timeout,
                    HeartbeatInSeconds = heartbeat,
                    TaskCredentials = credentials,
                },
            });
            var integration = integrations.FirstOrDefault(i => i.Handles(resourceType, action))
                ?? throw new StatesException(AslErrors.Runtime, $"The sandbox has no integration for the resource '{state.Resource}'. Configure a canned response for it (Sandbox:Mocks).");
            history.Add(cursor, HistoryEventType.TaskStarted, e => e with { TaskStartedEventDetails = new() { ResourceType = resourceType, Resource = resource } });
            var call = new TaskCall(state.Resource, resourceType, resource, action, pattern, parameters, run.Scope.Execution, state.Name, token);
            using var timeoutSource = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var heartbeatSource = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token, heartbeatSource.Token);
            if (timeout is { } t)
            {
                timeoutSource.CancelAfter(TimeSpan.FromSeconds(t));
            }

            if (heartbeat is { } h && waiter is not null)
            {
                heartbeatSource.CancelAfter(TimeSpan.FromSeconds(h));
                waiter.Heartbeat = () => heartbeatSource.CancelAfter(TimeSpan.FromSeconds(h));
            }

            JsonNode? started = null;
            JsonNode? result;
            try
            {
                started = await integration.StartAsync(call, linked.Token).ConfigureAwait(false);
                if (pattern.Length == 0)
                {
                    result = started;
                }
                else
                {
                    history.Add(cursor, HistoryEventType.TaskSubmitted, e => e with
                    {
                        TaskSubmittedEventDetails = new() { ResourceType = resourceType, Resource = resource, Output = Interpreter.Json(started), OutputDetails = new() { Truncated = false } },
                    });
                    result = pattern == "waitForTaskToken"
                        ? await waiter!.Result.WaitAsync(linked.Token).ConfigureAwait(false)
                        : await FirstOfAsync(integration.WaitAsync(call, started, linked.Token), waiter!.Result, linked.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (timeoutSource.IsCancellationRequested || heartbeatSource.IsCancellationRequested))
            {
                await integration.CancelAsync(call, started).ConfigureAwait(false);
                // Step Functions reports a missed heartbeat as States.Timeout too (see the recorded heartbeat histories).
                history.Add(cursor, HistoryEventType.TaskTimedOut, e => e with { TaskTimedOutEventDetails = new() { ResourceType = resourceType, Resource = resource, Error = AslErrors.Timeout } });
                throw new StatesException(AslErrors.Timeout, string.Empty);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await integration.CancelAsync(call, started).ConfigureAwait(false);
                throw;
            }
            catch (StatesException failure)
            {
                history.Add(cursor, HistoryEventType.TaskFailed, e => e with
                {
                    TaskFailedEventDetails = new() { ResourceType = resourceType, Resource = resource, Error = Interpreter.NullIfEmpty(failure.Error), Cause = Interpreter.NullIfEmpty(failure.Cause) },
                });
                throw;
            }

            history.Add(cursor, HistoryEventType.TaskSucceeded, e => e with
            {
                TaskSucceededEventDetails = new() { ResourceType = resourceType, Resource = resource, Output = Interpreter.Json(result), OutputDetails = new() { Truncated = false } },
            });
            return Shape(state, input, result, run);
        }
        finally
        {
            if (token is not null)
            {
                tokens.Forget(token);
            }
        }
    }

    /// <summary>ResultSelector, ResultPath, OutputPath; Assign reads the selected result.</summary>
    private static StateOutcome Shape(TaskState state, JsonNode? input, JsonNode? result, StateRun run)
    {
        var selected = state.ResultSelector is { } selector ? selector.Evaluate(run.Bind(result)) : result;
        return new StateOutcome(state.OutputPath.Apply(state.ResultPath.Apply(input, selected), run.Bind(input)), null, selected);
    }

    /// <summary>A .sync task completes when its job does, or earlier when someone calls back with its token.</summary>
    private static async Task<JsonNode?> FirstOfAsync(Task<JsonNode?> job, Task<JsonNode?> callback, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(job, callback.WaitAsync(cancellationToken)).ConfigureAwait(false);
        return await first.ConfigureAwait(false);
    }

    /// <summary>A Lambda function ARN as the resource: the older LambdaFunction* events instead of Task* events.</summary>
    private async Task<JsonNode?> LegacyLambdaAsync(TaskState state, JsonNode? parameters, long? timeout, StateRun run, CancellationToken cancellationToken)
    {
        var history = run.History;
        var cursor = run.Cursor;
        history.Add(cursor, HistoryEventType.LambdaFunctionScheduled, e => e with
        {
            LambdaFunctionScheduledEventDetails = new() { Resource = state.Resource, Input = Interpreter.Json(parameters), InputDetails = new() { Truncated = false }, TimeoutInSeconds = timeout },
        });
        history.Add(cursor, HistoryEventType.LambdaFunctionStarted, e => e);
        var integration = integrations.First(i => i.Handles("lambda", "invoke"));
        var call = new TaskCall(state.Resource, "lambda", "invoke", "invoke", string.Empty, parameters, run.Scope.Execution, state.Name, null);
        using var timeoutSource = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        if (timeout is { } t)
        {
            timeoutSource.CancelAfter(TimeSpan.FromSeconds(t));
        }

        JsonNode? result;
        try
        {
            result = await integration.StartAsync(call, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            history.Add(cursor, HistoryEventType.LambdaFunctionTimedOut, e => e with { LambdaFunctionTimedOutEventDetails = new() { Error = AslErrors.Timeout } });
            throw new StatesException(AslErrors.Timeout, string.Empty);
        }
        catch (StatesException failure)
        {
            history.Add(cursor, HistoryEventType.LambdaFunctionFailed, e => e with { LambdaFunctionFailedEventDetails = new() { Error = Interpreter.NullIfEmpty(failure.Error), Cause = Interpreter.NullIfEmpty(failure.Cause) } });
            throw;
        }

        history.Add(cursor, HistoryEventType.LambdaFunctionSucceeded, e => e with { LambdaFunctionSucceededEventDetails = new() { Output = Interpreter.Json(result), OutputDetails = new() { Truncated = false } } });
        return result;
    }

    /// <summary>arn:aws:states:::ecs:runTask.sync -> (ecs, runTask.sync, runTask, sync); Lambda function ARNs -> (lambda, invoke).</summary>
    public static (string ResourceType, string Resource, string Action, string Pattern) ParseResource(string arn)
    {
        var parts = arn.Split(':');
        if (parts.Length >= 7 && parts[2] == "states" && parts[3].Length == 0)
        {
            var resourceType = string.Join(':', parts[5..^1]);
            var resource = parts[^1];
            if (parts.Length >= 8 && parts[^2] == "sync" || resource == "2" && arn.EndsWith(".sync:2", StringComparison.Ordinal))
            {
                resourceType = parts[5];
                resource = string.Join(':', parts[6..]);
            }

            var dot = resource.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? (resourceType, resource, resource, string.Empty) : (resourceType, resource, resource[..dot], resource[(dot + 1)..]);
        }

        if (parts.Length >= 7 && parts[2] == "lambda")
        {
            return ("lambda", "invoke", "invoke", string.Empty);
        }

        return (parts.Length > 2 ? parts[2] : arn, arn, arn, string.Empty);
    }

    /// <summary>TimeoutSeconds / HeartbeatSeconds, literal or by path (from the input or a variable).</summary>
    private static long? Seconds(NumberField? field, in Bindings bindings)
    {
        if (field is null)
        {
            return null;
        }

        var value = field.Value(bindings);
        if (field.Path is null)
        {
            return value!.GetValue<long>();
        }

        return value?.GetValueKind() == JsonValueKind.Number && value.ToDouble() > 0
            ? (long)value.ToDouble()
            : throw new StatesException(AslErrors.Runtime, $"The {field.Field}Path parameter does not reference a positive integer: {value?.ToJsonString() ?? "null"}");
    }
}
