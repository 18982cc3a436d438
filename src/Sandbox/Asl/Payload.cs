using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Input and output processing: payload templates (<c>"key.$"</c>), InputPath/OutputPath and ResultPath.</summary>
public static class Payload
{
    /// <summary>Evaluates a payload template (Parameters, ResultSelector, ItemSelector) against input and context.</summary>
    public static JsonNode? Template(JsonNode? template, JsonNode? input, JsonNode? context, Random random)
    {
        switch (template)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key.EndsWith(".$", StringComparison.Ordinal) && value is JsonValue v && v.TryGetValue<string>(out var expression))
                    {
                        result[key[..^2]] = Evaluate(expression, input, context, random, key);
                    }
                    else
                    {
                        result[key] = Template(value, input, context, random);
                    }
                }

                return result;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Template(item, input, context, random))]);
            default:
                return template?.DeepClone();
        }
    }

    /// <summary>A path (<c>$.x</c>, <c>$$.x</c>) or an intrinsic function call.</summary>
    public static JsonNode? Evaluate(string expression, JsonNode? input, JsonNode? context, Random random, string? field = null)
    {
        if (Intrinsics.IsIntrinsic(expression))
        {
            return Normalize(Intrinsics.Evaluate(expression, input, context, random));
        }

        if (!JsonPath.IsPath(expression))
        {
            throw new StatesException(AslErrors.Runtime, $"The value of the field '{field}' is not a valid JSONPath or intrinsic function: {expression}");
        }

        var path = JsonPath.Parse(expression);
        var source = expression.StartsWith("$$", StringComparison.Ordinal) ? context : input;
        if (!path.TrySelect(source, out var selected))
        {
            throw new StatesException(AslErrors.Runtime, $"The JSONPath '{expression}' specified for the field '{field}' could not be found in the input '{input?.ToJsonString() ?? "null"}'");
        }

        return selected?.DeepClone();
    }

    /// <summary>Re-reads a node built from CLR values so numbers compare and convert like parsed JSON.</summary>
    public static JsonNode? Normalize(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString());

    /// <summary>InputPath / OutputPath / ItemsPath: absent means "$", JSON null means an empty object.</summary>
    public static JsonNode? ApplyPath(JsonObject state, string field, JsonNode? input, JsonNode? context)
    {
        if (!state.TryGetPropertyValue(field, out var pathNode))
        {
            return input?.DeepClone();
        }

        if (pathNode is null)
        {
            return new JsonObject();
        }

        var text = pathNode.GetValue<string>();
        var source = text.StartsWith("$$", StringComparison.Ordinal) ? context : input;
        var path = JsonPath.Parse(text);
        return path.TrySelect(source, out var selected)
            ? selected?.DeepClone()
            : throw new StatesException(AslErrors.Runtime, $"Invalid path '{text}' : No results for path: {path.Normalized()}");
    }

    /// <summary>ResultPath: absent means "$" (the result replaces the input), null discards the result.</summary>
    public static JsonNode? ApplyResultPath(JsonObject state, JsonNode? rawInput, JsonNode? result)
    {
        if (!state.TryGetPropertyValue("ResultPath", out var pathNode))
        {
            return result;
        }

        if (pathNode is null)
        {
            return rawInput?.DeepClone();
        }

        var path = JsonPath.Parse(pathNode.GetValue<string>());
        return path.IsRoot ? result : path.Set(rawInput?.DeepClone(), result);
    }
}
