using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// A payload template (Parameters, ResultSelector, ItemSelector, Assign, Credentials), compiled once when the definition
/// is parsed: constants are kept, <c>"key.$"</c> values become paths or intrinsic calls.
/// </summary>
public abstract class PayloadTemplate
{
    public static PayloadTemplate Compile(JsonNode? template, string field) => template switch
    {
        JsonObject obj => new ObjectTemplate([.. obj.Select(p => p.Key.EndsWith(".$", StringComparison.Ordinal) && p.Value is JsonValue v && v.TryGetValue<string>(out var expression)
            ? (p.Key[..^2], (PayloadTemplate)new ExpressionTemplate(ValueExpression.Parse(expression, p.Key)))
            : (p.Key, Compile(p.Value, field)))]),
        JsonArray array => new ArrayTemplate([.. array.Select(item => Compile(item, field))]),
        _ => new ConstantTemplate(template?.DeepClone()),
    };

    public abstract JsonNode? Evaluate(in Bindings bindings);

    /// <summary>Evaluates an Assign block: the names and values to set, all read against the variables before the state.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> EvaluateAssignments(in Bindings bindings) =>
        Evaluate(bindings) is JsonObject values ? [.. values.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))] : [];

    private sealed class ConstantTemplate(JsonNode? value) : PayloadTemplate
    {
        public override JsonNode? Evaluate(in Bindings bindings) => value?.DeepClone();
    }

    private sealed class ExpressionTemplate(ValueExpression expression) : PayloadTemplate
    {
        public override JsonNode? Evaluate(in Bindings bindings) => expression.Evaluate(bindings);
    }

    private sealed class ArrayTemplate(PayloadTemplate[] items) : PayloadTemplate
    {
        public override JsonNode? Evaluate(in Bindings bindings)
        {
            var result = new JsonArray();
            foreach (var item in items)
            {
                result.Add(item.Evaluate(bindings));
            }

            return result;
        }
    }

    private sealed class ObjectTemplate((string Key, PayloadTemplate Value)[] members) : PayloadTemplate
    {
        public override JsonNode? Evaluate(in Bindings bindings)
        {
            var result = new JsonObject();
            foreach (var (key, value) in members)
            {
                result[key] = value.Evaluate(bindings);
            }

            return result;
        }
    }
}

/// <summary>The value of a <c>"key.$"</c> field or an ErrorPath/CausePath: a path (<c>$.x</c>, <c>$$.x</c>, <c>$var</c>) or an intrinsic call.</summary>
public sealed class ValueExpression
{
    private readonly string _text;
    private readonly string _field;
    private readonly JsonPath? _path;
    private readonly Intrinsics.IntrinsicCall? _call;
    private readonly Func<Exception>? _invalid;

    private ValueExpression(string text, string field, JsonPath? path, Intrinsics.IntrinsicCall? call, Func<Exception>? invalid) =>
        (_text, _field, _path, _call, _invalid) = (text, field, path, call, invalid);

    /// <summary>Parses once; an invalid expression fails when evaluated, where Step Functions reports it.</summary>
    public static ValueExpression Parse(string text, string field)
    {
        try
        {
            if (Intrinsics.IsIntrinsic(text))
            {
                return new(text, field, null, Intrinsics.Compile(text), null);
            }

            return JsonPath.IsPath(text)
                ? new(text, field, JsonPath.Parse(text), null, null)
                : new(text, field, null, null, () => new StatesException(AslErrors.Runtime, $"The value of the field '{field}' is not a valid JSONPath or intrinsic function: {text}"));
        }
        catch (FormatException e)
        {
            return new(text, field, null, null, () => new FormatException(e.Message, e));
        }
        catch (StatesException e)
        {
            return new(text, field, null, null, () => new StatesException(e.RawError, e.RawCause));
        }
    }

    public JsonNode? Evaluate(in Bindings bindings)
    {
        if (_invalid is not null)
        {
            throw _invalid();
        }

        if (_call is not null)
        {
            return Payload.Normalize(_call.Evaluate(bindings));
        }

        if (!_path!.TrySelect(bindings, out var selected))
        {
            throw new StatesException(AslErrors.Runtime, $"The JSONPath '{_text}' specified for the field '{_field}' could not be found in the input '{bindings.Input?.ToJsonString() ?? "null"}'");
        }

        return selected?.DeepClone();
    }
}

/// <summary>InputPath, OutputPath, ItemsPath: absent means "$", JSON null means an empty object.</summary>
public sealed class OptionalPath
{
    public static readonly OptionalPath Absent = new(present: false, path: null);

    private readonly bool _present;
    private readonly JsonPath? _path;

    private OptionalPath(bool present, JsonPath? path) => (_present, _path) = (present, path);

    public static OptionalPath Read(JsonObject state, string field) =>
        !state.TryGetPropertyValue(field, out var node) ? Absent : new OptionalPath(present: true, node is null ? null : JsonPath.Parse(node.GetValue<string>()));

    /// <summary>Selects from <paramref name="input"/> (or the context object or a variable, as the path says).</summary>
    public JsonNode? Apply(JsonNode? input, in Bindings bindings)
    {
        if (!_present)
        {
            return input?.DeepClone();
        }

        if (_path is null)
        {
            return new JsonObject();
        }

        return _path.TrySelect(bindings.WithInput(input), out var selected)
            ? selected?.DeepClone()
            : throw new StatesException(AslErrors.Runtime, $"Invalid path '{_path.Text}' : No results for path: {_path.Normalized()}");
    }
}

/// <summary>ResultPath: absent means "$" (the result replaces the input), null discards the result.</summary>
public sealed class ResultPath
{
    public static readonly ResultPath Absent = new(present: false, path: null);

    private readonly bool _present;
    private readonly JsonPath? _path;

    private ResultPath(bool present, JsonPath? path) => (_present, _path) = (present, path);

    public static ResultPath Read(JsonObject state) =>
        !state.TryGetPropertyValue("ResultPath", out var node) ? Absent : new ResultPath(present: true, node is null ? null : JsonPath.Parse(node.GetValue<string>()));

    public JsonNode? Apply(JsonNode? rawInput, JsonNode? result)
    {
        if (!_present)
        {
            return result;
        }

        if (_path is null)
        {
            return rawInput?.DeepClone();
        }

        return _path.IsRoot ? result : _path.Set(rawInput?.DeepClone(), result);
    }
}

/// <summary>Helpers shared by the payload types.</summary>
public static class Payload
{
    /// <summary>Re-reads a node built from CLR values so numbers compare and convert like parsed JSON.</summary>
    public static JsonNode? Normalize(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString());
}
