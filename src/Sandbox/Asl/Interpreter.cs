using System.Globalization;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.Asl;

/// <summary>The result of running an execution's states: an output, or the unhandled failure and where it happened.</summary>
public sealed record RunOutcome(bool Succeeded, JsonNode? Output, string? Error, string? Cause, string? FailedState, JsonNode? FailedStateInput);

/// <summary>
/// Runs parsed Amazon States Language (JSONPath) definitions and records the history events Step Functions would. This
/// class walks from state to state, records entry and exit, applies Assign, Retry and Catch; one executor per state type
/// does the state's own work.
/// </summary>
public sealed class Interpreter
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Dictionary<Type, IStateExecutor> _executors;

    public Interpreter(IEnumerable<ITaskIntegration> integrations, TaskTokens tokens, TimeProvider time, Random random)
    {
        (_time, _random) = (time, random);
        _executors = new Dictionary<Type, IStateExecutor>
        {
            [typeof(PassState)] = new PassExecutor(),
            [typeof(ChoiceState)] = new ChoiceExecutor(),
            [typeof(WaitState)] = new WaitExecutor(time),
            [typeof(SucceedState)] = new SucceedExecutor(),
            [typeof(FailState)] = new FailExecutor(),
            [typeof(TaskState)] = new TaskExecutor([.. integrations], tokens, time),
            [typeof(ParallelState)] = new ParallelExecutor(this),
            [typeof(MapState)] = new MapExecutor(this, time),
        };
    }

    /// <summary>The 256 KiB limit on inputs and outputs.</summary>
    public const int MaxPayloadBytes = 262_144;

    /// <summary>Runs from <paramref name="startAt"/> (or StartAt) with <paramref name="input"/>.</summary>
    public async Task<RunOutcome> RunAsync(StateMachineDefinition definition, ExecutionInfo execution, History history, Cursor cursor, string? startAt, JsonNode? input, bool firstStateAfterStart, CancellationToken cancellationToken, RedriveMemory? memory = null)
    {
        memory ??= new RedriveMemory();
        var scope = new ExecutionScope(execution, history, memory);
        var name = startAt ?? definition.StartAt;
        var previousOverride = firstStateAfterStart ? 0L : (long?)null;
        while (true)
        {
            try
            {
                var (output, next) = await RunStateAsync(definition[name], input, scope, cursor, memory.Variables, previousOverride, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Runs a Parallel branch or a Map iteration to its end, on its own thread of events and variable scope.</summary>
    internal async Task<JsonNode?> RunBranchAsync(StateMachineDefinition machine, JsonNode? input, ExecutionScope scope, Cursor cursor, Variables variables, CancellationToken cancellationToken)
    {
        var name = machine.StartAt;
        while (true)
        {
            var (output, next) = await RunStateAsync(machine[name], input, scope, cursor, variables, null, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                cursor.Finished = true;
                return output;
            }

            (name, input) = (next, output);
        }
    }

    private async Task<(JsonNode? Output, string? Next)> RunStateAsync(StateDefinition state, JsonNode? input, ExecutionScope scope, Cursor cursor, Variables variables, long? previousOverride, CancellationToken cancellationToken)
    {
        var enteredAt = _time.GetUtcNow();
        var enteredId = scope.History.Add(cursor, state.Type + "StateEntered", e => e with
        {
            StateEnteredEventDetails = new StateEnteredEventDetails { Name = state.Name, Input = Json(input), InputDetails = new() { Truncated = false } },
        }, previousOverride);
        cursor.Enter(state.Type);
        var run = new StateRun(scope, state, enteredAt, cursor, variables, _random);
        try
        {
            var executor = _executors[state.GetType()];
            var outcome = state is ResultState withResult
                ? await WithRetryAndCatchAsync(withResult, executor, input, run, cancellationToken).ConfigureAwait(false)
                : await executor.ExecuteAsync(state, input, run, cancellationToken).ConfigureAwait(false);
            if (outcome.Caught)
            {
                // The Catch already recorded the state's exit with the error output.
                return (outcome.Output, outcome.Next);
            }

            if (System.Text.Encoding.UTF8.GetByteCount(Json(outcome.Output)) > MaxPayloadBytes)
            {
                throw new StatesException(AslErrors.DataLimitExceeded, $"The state/task '{state.Name}' returned a result with a size exceeding the maximum number of bytes service limit.");
            }

            var assigned = Assign(outcome.Assign ?? state.Assign, outcome.AssignInput, run);
            cursor.Exit();
            scope.History.Add(cursor, state.Type + "StateExited", e => e with { StateExitedEventDetails = Exited(state.Name, outcome.Output, assigned) }, outcome.ExitPrevious);
            return (outcome.Output, outcome.Next ?? (state.End || state is SucceedState or FailState ? null : state.Next));
        }
        catch (StatesException failure) when (failure.Error == AslErrors.Runtime && !failure.Cause.StartsWith("An error occurred while executing the state", StringComparison.Ordinal))
        {
            throw new StatesException(AslErrors.Runtime, $"An error occurred while executing the state '{state.Name}' (entered at the event id #{enteredId}). {failure.Cause}");
        }
    }

    private static StateExitedEventDetails Exited(string name, JsonNode? output, Dictionary<string, string>? assigned) => new()
    {
        Name = name,
        Output = Json(output),
        OutputDetails = new() { Truncated = false },
        AssignedVariables = assigned,
        AssignedVariablesDetails = assigned is null ? null : new() { Truncated = false },
    };

    /// <summary>Evaluates Assign against the variables as they were before the state, then sets them all; returns them as the exit event shows them.</summary>
    private static Dictionary<string, string>? Assign(PayloadTemplate? assign, JsonNode? source, StateRun run)
    {
        if (assign is null)
        {
            return null;
        }

        var values = assign.EvaluateAssignments(run.Bind(source));
        run.Variables.Assign(values);
        return values.Count == 0 ? null : values.ToDictionary(v => v.Key, v => Json(v.Value), StringComparer.Ordinal);
    }

    private async Task<StateOutcome> WithRetryAndCatchAsync(ResultState state, IStateExecutor executor, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var retry = new RetryPolicy(state.Retry);
        while (true)
        {
            try
            {
                return await executor.ExecuteAsync(state, input, run, cancellationToken).ConfigureAwait(false);
            }
            catch (StatesException failure) when (failure.Error != AslErrors.Runtime && !failure.IsFailState)
            {
                if (retry.NextDelay(failure.Error, _random) is { } delay)
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    run.RetryCount++;
                    continue;
                }

                var catcher = state.Catch.FirstOrDefault(c => c.Errors.Matches(failure.Error));
                if (catcher is null)
                {
                    throw;
                }

                var error = new JsonObject { ["Error"] = failure.RawError, ["Cause"] = failure.RawCause };
                var output = catcher.ResultPath.Apply(input, error);
                var assigned = Assign(catcher.Assign, error, run);
                run.Cursor.Exit();
                run.Scope.History.Add(run.Cursor, state.Type + "StateExited", e => e with { StateExitedEventDetails = Exited(state.Name, output, assigned) });
                return new StateOutcome(output, catcher.Next, null) { Caught = true };
            }
        }
    }

    public static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>Step Functions leaves error and cause out of events when they are empty.</summary>
    public static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Formats timestamps the way the context object shows them.</summary>
    public static string ContextTime(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>What a state's executor produced: its output, where it goes (Choice, Catch), and what its Assign reads as <c>$</c>.</summary>
internal sealed record StateOutcome(JsonNode? Output, string? Next, JsonNode? AssignInput)
{
    /// <summary>A Choice rule's own Assign, used instead of the state's.</summary>
    public PayloadTemplate? Assign { get; init; }

    /// <summary>The Catch recorded the exit already.</summary>
    public bool Caught { get; init; }

    /// <summary>Parallel and Map exit after the same event their Succeeded event follows.</summary>
    public long? ExitPrevious { get; init; }
}

/// <summary>What every state of one execution shares.</summary>
internal sealed record ExecutionScope(ExecutionInfo Execution, History History, RedriveMemory Memory);

/// <summary>Runs one state type.</summary>
internal interface IStateExecutor
{
    Task<StateOutcome> ExecuteAsync(StateDefinition state, JsonNode? input, StateRun run, CancellationToken cancellationToken);
}

/// <summary>The typed base: each executor sees its own state record.</summary>
internal abstract class StateExecutor<TState> : IStateExecutor
    where TState : StateDefinition
{
    public Task<StateOutcome> ExecuteAsync(StateDefinition state, JsonNode? input, StateRun run, CancellationToken cancellationToken) =>
        ExecuteAsync((TState)state, input, run, cancellationToken);

    protected abstract Task<StateOutcome> ExecuteAsync(TState state, JsonNode? input, StateRun run, CancellationToken cancellationToken);
}

/// <summary>
/// One entry of one state: its thread of events, its variable scope, and its context object ($$), built once and
/// updated in place when the retry count or task token changes.
/// </summary>
internal sealed class StateRun(ExecutionScope scope, StateDefinition state, DateTimeOffset enteredAt, Cursor cursor, Variables variables, Random random)
{
    private JsonObject? _context;
    private int _retryCount;
    private string? _taskToken;

    public ExecutionScope Scope { get; } = scope;

    public StateDefinition State { get; } = state;

    public DateTimeOffset EnteredAt { get; } = enteredAt;

    public Cursor Cursor { get; } = cursor;

    public Variables Variables { get; } = variables;

    public Random Random { get; } = random;

    public History History => Scope.History;

    public int RetryCount
    {
        get => _retryCount;
        set
        {
            _retryCount = value;
            if (_context?["State"] is JsonObject stateNode)
            {
                stateNode["RetryCount"] = JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    public string? TaskToken
    {
        get => _taskToken;
        set
        {
            _taskToken = value;
            if (_context is not null && value is not null)
            {
                _context["Task"] = new JsonObject { ["Token"] = value };
            }
        }
    }

    public JsonObject Context => _context ??= Build();

    public Bindings Bind(JsonNode? input) => new(input, Context, Variables, Random);

    /// <summary>The bindings of a Map iteration: the context object gains Map.Item.</summary>
    public Bindings BindItem(JsonNode? input, int index, JsonNode? item)
    {
        var context = (JsonObject)Context.DeepClone();
        context["Map"] = Payload.Normalize(new JsonObject { ["Item"] = new JsonObject { ["Index"] = index, ["Value"] = item?.DeepClone() } });
        return new(input, context, Variables, Random);
    }

    private JsonObject Build()
    {
        var execution = Scope.Execution;
        var node = new JsonObject
        {
            ["Execution"] = new JsonObject
            {
                ["Id"] = execution.ExecutionArn,
                ["Input"] = execution.Input?.DeepClone(),
                ["StartTime"] = Interpreter.ContextTime(execution.StartTime),
                ["Name"] = execution.Name,
                ["RoleArn"] = execution.RoleArn,
                ["RedriveCount"] = execution.RedriveCount,
            },
            ["StateMachine"] = new JsonObject { ["Id"] = execution.StateMachineArn, ["Name"] = execution.StateMachineName },
            ["State"] = new JsonObject { ["Name"] = State.Name, ["EnteredTime"] = Interpreter.ContextTime(EnteredAt) },
        };
        if (State.CanRetry)
        {
            // Only states that can retry (Task, Parallel, Map) show a retry count, as in Step Functions.
            node["State"]!["RetryCount"] = _retryCount;
        }

        if (_taskToken is not null)
        {
            node["Task"] = new JsonObject { ["Token"] = _taskToken };
        }

        return (JsonObject)Payload.Normalize(node)!;
    }
}
