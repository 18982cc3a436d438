using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>A definition refused as CreateStateMachine refuses it, with every problem found.</summary>
public sealed class AslDefinitionException(IReadOnlyList<string> problems) : Exception(string.Join(", ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// A state machine (or a Parallel branch or Map item processor) parsed once into typed states: the interpreter never reads
/// the raw JSON again. Parsing checks what CreateStateMachine checks, with its messages.
/// </summary>
public sealed record StateMachineDefinition(string StartAt, IReadOnlyDictionary<string, StateDefinition> States, long? TimeoutSeconds)
{
    public StateDefinition this[string name] => States[name];

    public static StateMachineDefinition Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new AslDefinitionException(["the definition must be a JSON object"]);
        }
        catch (JsonException e)
        {
            throw new AslDefinitionException([$"SCHEMA_VALIDATION_FAILED: {e.Message}"]);
        }

        return Parse(root);
    }

    public static StateMachineDefinition Parse(JsonObject root)
    {
        var problems = new List<string>();
        var machine = Parse(root, "/", problems);
        return problems.Count == 0 ? machine! : throw new AslDefinitionException(problems);
    }

    private static StateMachineDefinition? Parse(JsonObject machine, string at, List<string> problems)
    {
        if (machine["States"] is not JsonObject states || states.Count == 0)
        {
            problems.Add($"MISSING_TRANSITION_TARGET: States is missing at {at}");
            return null;
        }

        var start = machine["StartAt"] is JsonValue s && s.TryGetValue<string>(out var startAt) ? startAt : null;
        if (start is null || !states.ContainsKey(start))
        {
            problems.Add($"MISSING_TRANSITION_TARGET: StartAt does not name a state at {at}StartAt");
        }

        var parsed = new Dictionary<string, StateDefinition>(StringComparer.Ordinal);
        foreach (var (name, node) in states)
        {
            var path = $"{at}States/{name}";
            try
            {
                if (StateDefinition.Parse(name, node, path, problems) is { } state)
                {
                    parsed[name] = state;
                    foreach (var target in state.Targets().Where(t => !states.ContainsKey(t)))
                    {
                        problems.Add($"MISSING_TRANSITION_TARGET: Missing 'Next' target: {target} at {path}");
                    }
                }
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
            {
                problems.Add($"SCHEMA_VALIDATION_FAILED: {e.Message} at {path}");
            }
        }

        return new StateMachineDefinition(start ?? string.Empty, parsed, machine["TimeoutSeconds"]?.GetValue<long>());
    }

    internal static StateMachineDefinition? ParseNested(JsonObject machine, string at, List<string> problems) => Parse(machine, at, problems);
}

/// <summary>The fields every state type shares. One record per state type below; one executor per type runs it.</summary>
public abstract record StateDefinition(string Name, string Type)
{
    public string? Next { get; init; }

    public bool End { get; init; }

    public OptionalPath InputPath { get; init; } = OptionalPath.Absent;

    public OptionalPath OutputPath { get; init; } = OptionalPath.Absent;

    /// <summary>Assign: variables set when the state completes (not on Succeed and Fail).</summary>
    public PayloadTemplate? Assign { get; init; }

    /// <summary>Task, Parallel and Map: their context object shows State.RetryCount.</summary>
    public virtual bool CanRetry => false;

    public virtual IEnumerable<string> Targets() => Next is null ? [] : [Next];

    internal static StateDefinition? Parse(string name, JsonNode? node, string path, List<string> problems)
    {
        if (node is not JsonObject state || state["Type"] is not JsonValue t || !t.TryGetValue<string>(out var type))
        {
            problems.Add($"SCHEMA_VALIDATION_FAILED: unknown or missing Type at {path}");
            return null;
        }

        StateDefinition? parsed = type switch
        {
            "Pass" => PassState.From(name, state),
            "Task" => TaskState.From(name, state),
            "Choice" => ChoiceState.From(name, state),
            "Wait" => WaitState.From(name, state),
            "Succeed" => new SucceedState(name),
            "Fail" => FailState.From(name, state),
            "Parallel" => ParallelState.From(name, state, path, problems),
            "Map" => MapState.From(name, state, path, problems),
            _ => null,
        };
        if (parsed is null)
        {
            problems.Add($"SCHEMA_VALIDATION_FAILED: unknown or missing Type at {path}");
            return null;
        }

        parsed = parsed with
        {
            Next = state["Next"]?.GetValue<string>(),
            End = state["End"]?.GetValue<bool>() == true,
            InputPath = OptionalPath.Read(state, "InputPath"),
            OutputPath = OptionalPath.Read(state, "OutputPath"),
            Assign = state["Assign"] is JsonObject assign ? PayloadTemplate.Compile(assign, "Assign") : null,
        };
        if (parsed is not (ChoiceState or SucceedState or FailState) && parsed.Next is null && !parsed.End)
        {
            problems.Add($"SCHEMA_VALIDATION_FAILED: These fields are required: [Next or End] at {path}");
        }

        return parsed;
    }

    internal static PayloadTemplate? Template(JsonObject state, string field) =>
        state.TryGetPropertyValue(field, out var node) ? PayloadTemplate.Compile(node, field) : null;
}

/// <summary>A number given literally or by a path (TimeoutSeconds / TimeoutSecondsPath, MaxConcurrency / MaxConcurrencyPath...).</summary>
public sealed record NumberField(string Field, JsonNode? Literal, JsonPath? Path)
{
    /// <summary>The literal, or what the path selects (from the input, the context object or a variable).</summary>
    public JsonNode? Value(in Bindings bindings) => Literal ?? Path!.Select(bindings);

    public static NumberField? Read(JsonObject state, string field) =>
        state[field] is { } literal ? new NumberField(field, literal.DeepClone(), null)
        : state[field + "Path"] is { } path ? new NumberField(field, null, JsonPath.Parse(path.GetValue<string>()))
        : null;
}

public sealed record PassState(string Name) : StateDefinition(Name, "Pass")
{
    public bool HasResult { get; init; }

    public JsonNode? Result { get; init; }

    public PayloadTemplate? Parameters { get; init; }

    public ResultPath ResultPath { get; init; } = ResultPath.Absent;

    internal static PassState From(string name, JsonObject state) => new(name)
    {
        HasResult = state.TryGetPropertyValue("Result", out var result),
        Result = result?.DeepClone(),
        Parameters = Template(state, "Parameters"),
        ResultPath = ResultPath.Read(state),
    };
}

/// <summary>Task, Parallel and Map: a result that ResultSelector and ResultPath shape, and Retry and Catch.</summary>
public abstract record ResultState(string Name, string Type) : StateDefinition(Name, Type)
{
    public PayloadTemplate? ResultSelector { get; init; }

    public ResultPath ResultPath { get; init; } = ResultPath.Absent;

    public IReadOnlyList<Retrier> Retry { get; init; } = [];

    public IReadOnlyList<Catcher> Catch { get; init; } = [];

    public override bool CanRetry => true;

    public override IEnumerable<string> Targets() => base.Targets().Concat(Catch.Select(c => c.Next));

    protected static T WithResult<T>(T state, JsonObject json)
        where T : ResultState => state with
        {
            ResultSelector = Template(json, "ResultSelector"),
            ResultPath = ResultPath.Read(json),
            Retry = [.. (json["Retry"] as JsonArray ?? []).Select(r => Retrier.From(r!.AsObject()))],
            Catch = [.. (json["Catch"] as JsonArray ?? []).Select(c => Catcher.From(c!.AsObject()))],
        };
}

public sealed record TaskState(string Name, string Resource) : ResultState(Name, "Task")
{
    public PayloadTemplate? Parameters { get; init; }

    public PayloadTemplate? Credentials { get; init; }

    public NumberField? TimeoutSeconds { get; init; }

    public NumberField? HeartbeatSeconds { get; init; }

    internal static TaskState From(string name, JsonObject state) => WithResult(
        new TaskState(name, state["Resource"]?.GetValue<string>() ?? throw new FormatException("These fields are required: [Resource]"))
        {
            Parameters = Template(state, "Parameters"),
            Credentials = Template(state, "Credentials"),
            TimeoutSeconds = NumberField.Read(state, "TimeoutSeconds"),
            HeartbeatSeconds = NumberField.Read(state, "HeartbeatSeconds"),
        },
        state);
}

/// <summary>A Choice rule: its condition (evaluated by <see cref="ChoiceRules"/>), where it goes, and what it assigns.</summary>
public sealed record ChoiceRule(ChoiceCondition Condition, string Next, PayloadTemplate? Assign);

public sealed record ChoiceState(string Name) : StateDefinition(Name, "Choice")
{
    public IReadOnlyList<ChoiceRule> Choices { get; init; } = [];

    public string? Default { get; init; }

    public override IEnumerable<string> Targets() => Choices.Select(c => c.Next).Concat(Default is null ? [] : [Default]);

    internal static ChoiceState From(string name, JsonObject state) => new(name)
    {
        Choices = [.. (state["Choices"] as JsonArray ?? throw new FormatException("These fields are required: [Choices]")).Select(c => c!.AsObject()).Select(c => new ChoiceRule(
            ChoiceCondition.Parse(c),
            c["Next"]?.GetValue<string>() ?? throw new FormatException("These fields are required: [Next] in a Choice rule"),
            c["Assign"] is JsonObject assign ? PayloadTemplate.Compile(assign, "Assign") : null))],
        Default = state["Default"]?.GetValue<string>(),
    };
}

public sealed record WaitState(string Name) : StateDefinition(Name, "Wait")
{
    public JsonNode? Seconds { get; init; }

    public JsonPath? SecondsPath { get; init; }

    public string? Timestamp { get; init; }

    public JsonPath? TimestampPath { get; init; }

    internal static WaitState From(string name, JsonObject state) => new(name)
    {
        Seconds = state["Seconds"]?.DeepClone(),
        SecondsPath = state["SecondsPath"] is { } sp ? JsonPath.Parse(sp.GetValue<string>()) : null,
        Timestamp = state["Timestamp"]?.GetValue<string>(),
        TimestampPath = state["TimestampPath"] is { } tp ? JsonPath.Parse(tp.GetValue<string>()) : null,
    };
}

public sealed record SucceedState(string Name) : StateDefinition(Name, "Succeed");

public sealed record FailState(string Name) : StateDefinition(Name, "Fail")
{
    public string? Error { get; init; }

    public ValueExpression? ErrorPath { get; init; }

    public string? Cause { get; init; }

    public ValueExpression? CausePath { get; init; }

    internal static FailState From(string name, JsonObject state) => new(name)
    {
        Error = state["Error"]?.GetValue<string>(),
        ErrorPath = state["ErrorPath"] is { } e ? ValueExpression.Parse(e.GetValue<string>(), "ErrorPath") : null,
        Cause = state["Cause"]?.GetValue<string>(),
        CausePath = state["CausePath"] is { } c ? ValueExpression.Parse(c.GetValue<string>(), "CausePath") : null,
    };
}

public sealed record ParallelState(string Name, IReadOnlyList<StateMachineDefinition> Branches) : ResultState(Name, "Parallel")
{
    public PayloadTemplate? Parameters { get; init; }

    internal static ParallelState? From(string name, JsonObject state, string path, List<string> problems)
    {
        var branches = (state["Branches"] as JsonArray ?? []).OfType<JsonObject>().Select(b => StateMachineDefinition.ParseNested(b, path + "/", problems)).ToList();
        return branches.Any(b => b is null) ? null : WithResult(new ParallelState(name, branches!) { Parameters = Template(state, "Parameters") }, state);
    }
}

public sealed record MapState(string Name, StateMachineDefinition Processor) : ResultState(Name, "Map")
{
    public OptionalPath ItemsPath { get; init; } = OptionalPath.Absent;

    /// <summary>ItemSelector, or the older Parameters.</summary>
    public PayloadTemplate? ItemSelector { get; init; }

    public NumberField? MaxConcurrency { get; init; }

    public NumberField? ToleratedFailureCount { get; init; }

    public NumberField? ToleratedFailurePercentage { get; init; }

    /// <summary>A Distributed Map reading items from S3 (ItemReader), which the sandbox cannot serve.</summary>
    public bool ReadsItemsFromS3 { get; init; }

    /// <summary>ProcessorConfig.Mode DISTRIBUTED: iterations run as child executions behind one Map Run.</summary>
    public bool Distributed { get; init; }

    /// <summary>The Map Run's label (its ARN names it), or the state's name.</summary>
    public string? Label { get; init; }

    internal static MapState? From(string name, JsonObject state, string path, List<string> problems)
    {
        if ((state["ItemProcessor"] ?? state["Iterator"]) is not JsonObject processorJson)
        {
            problems.Add($"SCHEMA_VALIDATION_FAILED: These fields are required: [ItemProcessor] at {path}");
            return null;
        }

        return StateMachineDefinition.ParseNested(processorJson, path + "/", problems) is not { } processor ? null : WithResult(
            new MapState(name, processor)
            {
                ItemsPath = OptionalPath.Read(state, "ItemsPath"),
                ItemSelector = Template(state, "ItemSelector") ?? Template(state, "Parameters"),
                MaxConcurrency = NumberField.Read(state, "MaxConcurrency"),
                ToleratedFailureCount = NumberField.Read(state, "ToleratedFailureCount"),
                ToleratedFailurePercentage = NumberField.Read(state, "ToleratedFailurePercentage"),
                ReadsItemsFromS3 = state["ItemReader"] is not null,
                Distributed = processorJson["ProcessorConfig"]?["Mode"]?.GetValue<string>() == "DISTRIBUTED",
                Label = state["Label"]?.GetValue<string>(),
            },
            state);
    }
}
