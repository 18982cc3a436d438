using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.Asl;

/// <summary>The result of running an execution's states: an output, or the unhandled failure and where it happened.</summary>
public sealed record RunOutcome(bool Succeeded, JsonNode? Output, string? Error, string? Cause, string? FailedState, JsonNode? FailedStateInput);

/// <summary>
/// Runs Amazon States Language (JSONPath) definitions and records the history events Step Functions would:
/// Pass, Task, Choice, Wait, Succeed, Fail, Parallel and inline Map, with Retry, Catch and timeouts.
/// </summary>
public sealed class Interpreter(IEnumerable<ITaskIntegration> integrations, TaskTokens tokens, TimeProvider time, Random random)
{
    private readonly ITaskIntegration[] _integrations = [.. integrations];

    /// <summary>Runs from <paramref name="startAt"/> (or StartAt) with <paramref name="input"/>.</summary>
    public async Task<RunOutcome> RunAsync(JsonObject definition, ExecutionInfo execution, History history, Cursor cursor, string? startAt, JsonNode? input, bool firstStateAfterStart, CancellationToken cancellationToken, RedriveMemory? memory = null)
    {
        var states = definition["States"]!.AsObject();
        var name = startAt ?? definition["StartAt"]!.GetValue<string>();
        var previousOverride = firstStateAfterStart ? 0L : (long?)null;
        while (true)
        {
            try
            {
                var (output, next) = await RunStateAsync(name, states[name]!.AsObject(), input, new Scope(execution, history, memory ?? new RedriveMemory()), cursor, previousOverride, cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    return new RunOutcome(true, output, null, null, null, null);
                }

                previousOverride = null;
                (name, input) = (next, output);
            }
            catch (StatesException failure)
            {
                return new RunOutcome(false, null, failure.Error, failure.Cause, name, input);
            }
        }
    }

    private async Task<JsonNode?> RunBranchAsync(JsonObject machine, JsonNode? input, Scope scope, Cursor cursor, CancellationToken cancellationToken)
    {
        var states = machine["States"]!.AsObject();
        var name = machine["StartAt"]!.GetValue<string>();
        while (true)
        {
            var (output, next) = await RunStateAsync(name, states[name]!.AsObject(), input, scope, cursor, null, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return output;
            }

            (name, input) = (next, output);
        }
    }

    private async Task<(JsonNode? Output, string? Next)> RunStateAsync(string name, JsonObject state, JsonNode? input, Scope scope, Cursor cursor, long? previousOverride, CancellationToken cancellationToken)
    {
        var type = state["Type"]!.GetValue<string>();
        var enteredAt = time.GetUtcNow();
        var enteredId = scope.History.Add(cursor, type + "StateEntered", e => e with
        {
            StateEnteredEventDetails = new StateEnteredEventDetails { Name = name, Input = Json(input), InputDetails = new() { Truncated = false } },
        }, previousOverride);
        var context = new StateContext(scope, name, enteredAt, type is "Task" or "Parallel" or "Map");

        try
        {
            var (output, next) = type switch
            {
                "Pass" => Pass(state, input, context),
                "Choice" => Choice(name, state, input, context),
                "Wait" => await WaitAsync(state, input, context, cancellationToken).ConfigureAwait(false),
                "Succeed" => (Payload.ApplyPath(state, "OutputPath", Payload.ApplyPath(state, "InputPath", input, context.Node()), context.Node()), null),
                "Fail" => throw FailState(state, input, context),
                "Task" or "Parallel" or "Map" => await WithRetryAndCatchAsync(name, type, state, input, context, cursor, cancellationToken).ConfigureAwait(false),
                _ => throw new StatesException(AslErrors.Runtime, $"Unsupported state type '{type}'."),
            };

            if (next is { Caught: true } caught)
            {
                // The Catch already recorded the state's exit with the error output.
                return (output, caught.Name);
            }

            if (System.Text.Encoding.UTF8.GetByteCount(Json(output)) > MaxPayloadBytes)
            {
                throw new StatesException(AslErrors.DataLimitExceeded, $"The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit.");
            }

            scope.History.Add(cursor, type + "StateExited", e => e with
            {
                StateExitedEventDetails = new StateExitedEventDetails { Name = name, Output = Json(output), OutputDetails = new() { Truncated = false } },
            });
            return (output, next?.Name ?? (IsEnd(state) ? null : state["Next"]?.GetValue<string>()));
        }
        catch (StatesException failure) when (failure.Error == AslErrors.Runtime && !failure.Cause.StartsWith("An error occurred while executing the state", StringComparison.Ordinal))
        {
            throw new StatesException(AslErrors.Runtime, $"An error occurred while executing the state '{name}' (entered at the event id #{enteredId}). {failure.Cause}");
        }
    }

    /// <summary>The 256 KiB limit on inputs and outputs.</summary>
    public const int MaxPayloadBytes = 262_144;

    /// <summary>Where a state goes next when it chooses (Choice) or catches an error (Catch).</summary>
    private sealed record Transition(string Name, bool Caught = false);

    private static bool IsEnd(JsonObject state) => state["End"]?.GetValue<bool>() == true || state["Type"]!.GetValue<string>() is "Succeed" or "Fail";

    private (JsonNode? Output, Transition? Next) Pass(JsonObject state, JsonNode? input, StateContext context)
    {
        var effective = Payload.ApplyPath(state, "InputPath", input, context.Node());
        var result = state.TryGetPropertyValue("Result", out var fixedResult)
            ? fixedResult?.DeepClone()
            : state["Parameters"] is { } parameters ? Payload.Template(parameters, effective, context.Node(), random) : effective;
        var output = Payload.ApplyResultPath(state, input, result);
        return (Payload.ApplyPath(state, "OutputPath", output, context.Node()), null);
    }

    private static (JsonNode? Output, Transition? Next) Choice(string name, JsonObject state, JsonNode? input, StateContext context)
    {
        var effective = Payload.ApplyPath(state, "InputPath", input, context.Node());
        var output = Payload.ApplyPath(state, "OutputPath", effective, context.Node());
        foreach (var choice in state["Choices"]!.AsArray())
        {
            if (ChoiceRules.Matches(choice!.AsObject(), effective, context.Node()))
            {
                return (output, new Transition(choice["Next"]!.GetValue<string>()));
            }
        }

        return state["Default"] is { } fallback
            ? (output, new Transition(fallback.GetValue<string>()))
            : throw new StatesException(AslErrors.NoChoiceMatched, $"No Matches! (state '{name}')");
    }

    private async Task<(JsonNode? Output, Transition? Next)> WaitAsync(JsonObject state, JsonNode? input, StateContext context, CancellationToken cancellationToken)
    {
        var effective = Payload.ApplyPath(state, "InputPath", input, context.Node());
        TimeSpan delay;
        if (state["Seconds"] is { } seconds)
        {
            delay = TimeSpan.FromSeconds(seconds.ToDouble());
        }
        else if (state["SecondsPath"] is { } secondsPath)
        {
            var pathText = secondsPath.GetValue<string>();
            var value = JsonPath.Parse(pathText).Select(effective);
            if (value?.GetValueKind() != JsonValueKind.Number || !long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                throw new StatesException(AslErrors.Runtime, $"The SecondsPath parameter cannot be parsed as a long value: {pathText} == {value?.ToJsonString() ?? "null"}");
            }

            delay = whole >= 0
                ? TimeSpan.FromSeconds(whole)
                : throw new StatesException(AslErrors.Runtime, $"The SecondsPath parameter references a negative value: {pathText} == {whole}");
        }
        else
        {
            var text = state["Timestamp"]?.GetValue<string>()
                ?? JsonPath.Parse(state["TimestampPath"]!.GetValue<string>()).Select(effective) switch
                {
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                    var other => throw new StatesException(AslErrors.Runtime, $"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {other?.ToJsonString() ?? "null"}"),
                };
            if (!ChoiceRules.TryTimestamp(text, out var until))
            {
                throw new StatesException(AslErrors.Runtime, $"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {text}");
            }

            delay = until - time.GetUtcNow();
        }

        // Seconds count from when the state was entered (a timestamp is absolute already), so time spent before the
        // timer is set does not lengthen the wait.
        var remaining = state["Timestamp"] is null && state["TimestampPath"] is null ? context.EnteredAt + delay - time.GetUtcNow() : delay;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, time, cancellationToken).ConfigureAwait(false);
        }

        return (Payload.ApplyPath(state, "OutputPath", effective, context.Node()), null);
    }

    private static StatesException FailState(JsonObject state, JsonNode? input, StateContext context)
    {
        string? Field(string name)
        {
            if (state[name] is { } literal)
            {
                return literal.GetValue<string>();
            }

            if (state[name + "Path"] is { } path)
            {
                var value = Payload.Evaluate(path.GetValue<string>(), input, context.Node(), Random.Shared, name + "Path");
                return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString();
            }

            return null;
        }

        return new StatesException(Field("Error") ?? string.Empty, Field("Cause") ?? string.Empty) { IsFailState = true };
    }

    private async Task<(JsonNode? Output, Transition? Next)> WithRetryAndCatchAsync(string name, string type, JsonObject state, JsonNode? input, StateContext context, Cursor cursor, CancellationToken cancellationToken)
    {
        var retriers = state["Retry"]?.AsArray().Select(r => r!.AsObject()).ToArray() ?? [];
        var attempts = new int[retriers.Length];
        while (true)
        {
            try
            {
                var output = type switch
                {
                    "Task" => await TaskAsync(name, state, input, context, cursor, cancellationToken).ConfigureAwait(false),
                    "Parallel" => await ParallelAsync(state, input, context, cursor, cancellationToken).ConfigureAwait(false),
                    _ => await MapAsync(name, state, input, context, cursor, cancellationToken).ConfigureAwait(false),
                };
                return (output, null);
            }
            catch (StatesException failure) when (failure.Error != AslErrors.Runtime && !failure.IsFailState)
            {
                var index = Array.FindIndex(retriers, r => Matches(r, failure.Error));
                if (index >= 0 && attempts[index] < (retriers[index]["MaxAttempts"]?.GetValue<int>() ?? 3))
                {
                    await Task.Delay(RetryDelay(retriers[index], attempts[index]), time, cancellationToken).ConfigureAwait(false);
                    attempts[index]++;
                    context.RetryCount++;
                    continue;
                }

                var catcher = state["Catch"]?.AsArray().Select(c => c!.AsObject()).FirstOrDefault(c => Matches(c, failure.Error));
                if (catcher is null)
                {
                    throw;
                }

                var error = new JsonObject { ["Error"] = failure.RawError, ["Cause"] = failure.RawCause };
                var output = Payload.ApplyResultPath(catcher, input, error);
                context.Scope.History.Add(cursor, type + "StateExited", e => e with
                {
                    StateExitedEventDetails = new StateExitedEventDetails { Name = name, Output = Json(output), OutputDetails = new() { Truncated = false } },
                });
                return (output, new Transition(catcher["Next"]!.GetValue<string>(), Caught: true));
            }
        }
    }

    /// <summary>ErrorEquals: exact names, States.ALL (anything but States.Runtime), States.TaskFailed (anything but timeouts).</summary>
    private static bool Matches(JsonObject rule, string error) => rule["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()).Any(e =>
        e == error
        || (e == AslErrors.All && error != AslErrors.Runtime)
        || (e == AslErrors.TaskFailed && error is not (AslErrors.Timeout or AslErrors.HeartbeatTimeout or AslErrors.Runtime) && !error.StartsWith("States.", StringComparison.Ordinal))
        || (e == AslErrors.Timeout && error == AslErrors.HeartbeatTimeout));

    private TimeSpan RetryDelay(JsonObject retrier, int attempt)
    {
        var interval = retrier["IntervalSeconds"]?.GetValue<double>() ?? 1;
        var backoff = retrier["BackoffRate"]?.GetValue<double>() ?? 2.0;
        var seconds = interval * Math.Pow(backoff, attempt);
        if (retrier["MaxDelaySeconds"] is { } max)
        {
            seconds = Math.Min(seconds, max.GetValue<double>());
        }

        if (retrier["JitterStrategy"]?.GetValue<string>() == "FULL")
        {
            seconds *= random.NextDouble();
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private async Task<JsonNode?> TaskAsync(string name, JsonObject state, JsonNode? input, StateContext context, Cursor cursor, CancellationToken cancellationToken)
    {
        var history = context.Scope.History;
        var resourceArn = state["Resource"]!.GetValue<string>();
        var (resourceType, resource, action, pattern) = ParseResource(resourceArn);
        var effective = Payload.ApplyPath(state, "InputPath", input, context.Node());
        string? token = null;
        TaskTokens.Waiter? waiter = null;
        // Step Functions puts a task token in the context object of .sync and callback tasks alike; only
        // .waitForTaskToken waits for it.
        if (pattern.Length > 0)
        {
            (token, waiter) = tokens.Issue();
            context.TaskToken = token;
        }

        try
        {
            var parameters = state["Parameters"] is { } template ? Payload.Template(template, effective, context.Node(), random) : effective;
            var timeout = Seconds(state, "TimeoutSeconds", effective);
            var heartbeat = Seconds(state, "HeartbeatSeconds", effective);
            var region = context.Scope.Execution.Region;
            var legacyLambda = resourceArn.StartsWith("arn:aws:lambda:", StringComparison.Ordinal);
            if (legacyLambda)
            {
                return await LegacyLambdaAsync(name, state, input, parameters, timeout, context, cursor, cancellationToken).ConfigureAwait(false);
            }

            history.Add(cursor, HistoryEventType.TaskScheduled, e => e with
            {
                TaskScheduledEventDetails = new TaskScheduledEventDetails
                {
                    ResourceType = resourceType,
                    Resource = resource,
                    Region = region,
                    Parameters = Json(parameters),
                    TimeoutInSeconds = timeout,
                    HeartbeatInSeconds = heartbeat,
                },
            });
            var integration = _integrations.FirstOrDefault(i => i.Handles(resourceType, action));
            if (integration is null)
            {
                const string error = "States.Runtime";
                throw new StatesException(error, $"The sandbox has no integration for the resource '{resourceArn}'. Configure a canned response for it (Sandbox:Mocks).");
            }

            history.Add(cursor, HistoryEventType.TaskStarted, e => e with { TaskStartedEventDetails = new() { ResourceType = resourceType, Resource = resource } });
            var call = new TaskCall(resourceArn, resourceType, resource, action, pattern, parameters, context.Scope.Execution, name, token);
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
                        TaskSubmittedEventDetails = new() { ResourceType = resourceType, Resource = resource, Output = Json(started), OutputDetails = new() { Truncated = false } },
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
                var error = AslErrors.Timeout;
                history.Add(cursor, HistoryEventType.TaskTimedOut, e => e with { TaskTimedOutEventDetails = new() { ResourceType = resourceType, Resource = resource, Error = error } });
                throw new StatesException(error, string.Empty);
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
                    TaskFailedEventDetails = new() { ResourceType = resourceType, Resource = resource, Error = NullIfEmpty(failure.Error), Cause = NullIfEmpty(failure.Cause) },
                });
                throw;
            }

            history.Add(cursor, HistoryEventType.TaskSucceeded, e => e with
            {
                TaskSucceededEventDetails = new() { ResourceType = resourceType, Resource = resource, Output = Json(result), OutputDetails = new() { Truncated = false } },
            });
            var selected = state["ResultSelector"] is { } selector ? Payload.Template(selector, result, context.Node(), random) : result;
            var output = Payload.ApplyResultPath(state, input, selected);
            return Payload.ApplyPath(state, "OutputPath", output, context.Node());
        }
        finally
        {
            if (token is not null)
            {
                tokens.Forget(token);
            }
        }
    }

    /// <summary>A .sync task completes when its job does, or earlier when someone calls back with its token.</summary>
    private static async Task<JsonNode?> FirstOfAsync(Task<JsonNode?> job, Task<JsonNode?> callback, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(job, callback.WaitAsync(cancellationToken)).ConfigureAwait(false);
        return await first.ConfigureAwait(false);
    }

    /// <summary>A Lambda function ARN as the resource: the older LambdaFunction* events instead of Task* events.</summary>
    private async Task<JsonNode?> LegacyLambdaAsync(string name, JsonObject state, JsonNode? input, JsonNode? parameters, long? timeout, StateContext context, Cursor cursor, CancellationToken cancellationToken)
    {
        var history = context.Scope.History;
        var arn = state["Resource"]!.GetValue<string>();
        history.Add(cursor, HistoryEventType.LambdaFunctionScheduled, e => e with
        {
            LambdaFunctionScheduledEventDetails = new() { Resource = arn, Input = Json(parameters), InputDetails = new() { Truncated = false }, TimeoutInSeconds = timeout },
        });
        history.Add(cursor, HistoryEventType.LambdaFunctionStarted, e => e);
        var integration = _integrations.First(i => i.Handles("lambda", "invoke"));
        var call = new TaskCall(arn, "lambda", "invoke", "invoke", string.Empty, parameters, context.Scope.Execution, name, null);
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
            history.Add(cursor, HistoryEventType.LambdaFunctionFailed, e => e with { LambdaFunctionFailedEventDetails = new() { Error = NullIfEmpty(failure.Error), Cause = NullIfEmpty(failure.Cause) } });
            throw;
        }

        history.Add(cursor, HistoryEventType.LambdaFunctionSucceeded, e => e with { LambdaFunctionSucceededEventDetails = new() { Output = Json(result), OutputDetails = new() { Truncated = false } } });
        var selected = state["ResultSelector"] is { } selector ? Payload.Template(selector, result, context.Node(), random) : result;
        return Payload.ApplyPath(state, "OutputPath", Payload.ApplyResultPath(state, input, selected), context.Node());
    }

    /// <summary>Step Functions leaves error and cause out of events when they are empty.</summary>
    public static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

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

    private static long? Seconds(JsonObject state, string field, JsonNode? input)
    {
        if (state[field] is { } literal)
        {
            return literal.GetValue<long>();
        }

        if (state[field + "Path"] is { } path)
        {
            var value = JsonPath.Parse(path.GetValue<string>()).Select(input);
            return value?.GetValueKind() == JsonValueKind.Number && value.ToDouble() > 0
                ? (long)value.ToDouble()
                : throw new StatesException(AslErrors.Runtime, $"The {field}Path parameter does not reference a positive integer: {value?.ToJsonString() ?? "null"}");
        }

        return null;
    }

    private async Task<JsonNode?> ParallelAsync(JsonObject state, JsonNode? input, StateContext context, Cursor cursor, CancellationToken cancellationToken)
    {
        var history = context.Scope.History;
        var effective = Payload.ApplyPath(state, "InputPath", input, context.Node());
        var branchInput = state["Parameters"] is { } template ? Payload.Template(template, effective, context.Node(), random) : effective;
        var startedId = history.Add(cursor, HistoryEventType.ParallelStateStarted, e => e);
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var earlier = context.Scope.Memory.TakeForRedrive(context.StateName);
        var branches = state["Branches"]!.AsArray().Select((b, i) => earlier.TryGetValue(i, out var done)
            ? Task.FromResult(done?.DeepClone())
            : RunBranchAsync(b!.AsObject(), branchInput?.DeepClone(), context.Scope, new Cursor(startedId), siblings.Token)).ToList();
        try
        {
            await Task.WhenAll(branches.Select(async b =>
            {
                try
                {
                    await b.ConfigureAwait(false);
                }
                catch (StatesException)
                {
                    await siblings.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            })).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = branches.Where(b => b.IsFaulted).Select(b => b.Exception!.InnerException).OfType<StatesException>().First();
            context.Scope.Memory.RememberFailure(context.StateName, branches.Select((b, i) => (b, i)).Where(x => x.b.IsCompletedSuccessfully).ToDictionary(x => x.i, x => x.b.Result));
            history.Add(cursor, HistoryEventType.ParallelStateFailed, e => e);
            throw new StatesException(failure.Error, failure.Cause);
        }

        context.Scope.Memory.Forget(context.StateName);
        history.Add(cursor, HistoryEventType.ParallelStateSucceeded, e => e);
        var result = new JsonArray([.. branches.Select(b => b.Result)]);
        var selected = state["ResultSelector"] is { } selector ? Payload.Template(selector, result, context.Node(), random) : result;
        return Payload.ApplyPath(state, "OutputPath", Payload.ApplyResultPath(state, input, selected), context.Node());
    }

    private async Task<JsonNode?> MapAsync(string name, JsonObject state, JsonNode? input, StateContext context, Cursor cursor, CancellationToken cancellationToken)
    {
        var history = context.Scope.History;
        var effective = Payload.ApplyPath(state, "InputPath", input, context.Node());
        var items = Payload.ApplyPath(state, "ItemsPath", effective, context.Node()) as JsonArray
            ?? throw new StatesException(AslErrors.Runtime, "Map state input must be an array (ItemsPath).");
        var processor = (state["ItemProcessor"] ?? state["Iterator"])!.AsObject();
        var selector = state["ItemSelector"] ?? state["Parameters"];
        var maxConcurrency = state["MaxConcurrency"]?.GetValue<int>() is > 0 and var m ? m : int.MaxValue;
        var toleratedCount = state["ToleratedFailureCount"]?.GetValue<int>() ?? 0;
        var toleratedPercentage = state["ToleratedFailurePercentage"]?.GetValue<double>() ?? 0;
        history.Add(cursor, HistoryEventType.MapStateStarted, e => e with { MapStateStartedEventDetails = new() { Length = items.Count } });

        using var gate = new SemaphoreSlim(Math.Min(maxConcurrency, Math.Max(1, items.Count)));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var results = new JsonNode?[items.Count];
        var succeeded = new System.Collections.Concurrent.ConcurrentDictionary<int, JsonNode?>();
        var earlier = context.Scope.Memory.TakeForRedrive(context.StateName);
        var failures = new List<StatesException>();
        var iterations = items.Select(async (item, index) =>
        {
            if (earlier.TryGetValue(index, out var done))
            {
                // Succeeded before the redrive: kept, not rerun.
                results[index] = done?.DeepClone();
                succeeded[index] = done;
                return;
            }

            await gate.WaitAsync(abort.Token).ConfigureAwait(false);
            try
            {
                var itemContext = context.Node();
                itemContext["Map"] = Payload.Normalize(new JsonObject { ["Item"] = new JsonObject { ["Index"] = index, ["Value"] = item?.DeepClone() } });
                var iterationInput = selector is not null ? Payload.Template(selector, effective, itemContext, random) : item?.DeepClone();
                var startedId = history.Add(cursor, HistoryEventType.MapIterationStarted, e => e with { MapIterationStartedEventDetails = new() { Name = name, Index = index } });
                try
                {
                    results[index] = await RunBranchAsync(processor, iterationInput, context.Scope, new Cursor(startedId), abort.Token).ConfigureAwait(false);
                    succeeded[index] = results[index]?.DeepClone();
                    history.Add(cursor, HistoryEventType.MapIterationSucceeded, e => e with { MapIterationSucceededEventDetails = new() { Name = name, Index = index } });
                }
                catch (StatesException failure)
                {
                    history.Add(cursor, HistoryEventType.MapIterationFailed, e => e with { MapIterationFailedEventDetails = new() { Name = name, Index = index } });
                    lock (failures)
                    {
                        failures.Add(failure);
                        var tolerated = failures.Count <= toleratedCount || (toleratedPercentage > 0 && failures.Count * 100.0 / items.Count <= toleratedPercentage);
                        if (!tolerated)
                        {
                            abort.Cancel();
                        }
                    }

                    results[index] = new JsonObject { ["Error"] = failure.Error, ["Cause"] = failure.Cause };
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToList();

        try
        {
            await Task.WhenAll(iterations).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A failure beyond the tolerance cancelled the other iterations; reported below.
        }

        var exceeded = failures.Count > toleratedCount && !(toleratedPercentage > 0 && failures.Count * 100.0 / items.Count <= toleratedPercentage);
        if (failures.Count > 0 && exceeded)
        {
            context.Scope.Memory.RememberFailure(context.StateName, succeeded);
            history.Add(cursor, HistoryEventType.MapStateFailed, e => e);
            var tolerance = toleratedCount > 0 || toleratedPercentage > 0;
            throw tolerance
                ? new StatesException(AslErrors.ExceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
                : new StatesException(failures[0].Error, failures[0].Cause);
        }

        context.Scope.Memory.Forget(context.StateName);
        history.Add(cursor, HistoryEventType.MapStateSucceeded, e => e);
        var result = new JsonArray([.. results]);
        var selected = state["ResultSelector"] is { } resultSelector ? Payload.Template(resultSelector, result, context.Node(), random) : result;
        return Payload.ApplyPath(state, "OutputPath", Payload.ApplyResultPath(state, input, selected), context.Node());
    }

    public static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>Formats timestamps the way the context object shows them.</summary>
    public static string ContextTime(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed record Scope(ExecutionInfo Execution, History History, RedriveMemory Memory);

    /// <summary>The context object ($$) for one state.</summary>
    private sealed class StateContext(Scope scope, string name, DateTimeOffset enteredAt, bool retries)
    {
        public Scope Scope { get; } = scope;

        public string StateName { get; } = name;

        public DateTimeOffset EnteredAt { get; } = enteredAt;

        public int RetryCount { get; set; }

        public string? TaskToken { get; set; }

        public JsonObject Node()
        {
            var execution = Scope.Execution;
            var node = new JsonObject
            {
                ["Execution"] = new JsonObject
                {
                    ["Id"] = execution.ExecutionArn,
                    ["Input"] = execution.Input?.DeepClone(),
                    ["StartTime"] = ContextTime(execution.StartTime),
                    ["Name"] = execution.Name,
                    ["RoleArn"] = execution.RoleArn,
                    ["RedriveCount"] = execution.RedriveCount,
                },
                ["StateMachine"] = new JsonObject { ["Id"] = execution.StateMachineArn, ["Name"] = execution.StateMachineName },
                ["State"] = new JsonObject { ["Name"] = StateName, ["EnteredTime"] = ContextTime(EnteredAt) },
            };
            if (retries)
            {
                // Only states that can retry (Task, Parallel, Map) show a retry count, as in Step Functions.
                node["State"]![nameof(RetryCount)] = RetryCount;
            }

            if (TaskToken is not null)
            {
                node["Task"] = new JsonObject { ["Token"] = TaskToken };
            }

            return (JsonObject)Payload.Normalize(node)!;
        }
    }
}
