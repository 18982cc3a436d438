using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BatchOps.Sandbox.Asl;

/// <summary>Choice state rules: every comparison operator, their *Path forms, Is* tests and And/Or/Not.</summary>
public static class ChoiceRules
{
    private static readonly string[] Comparisons =
    [
        "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
        "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
        "BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
        "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
    ];

    /// <summary>Whether <paramref name="rule"/> matches; <c>Variable</c> and the *Path operands read the input, the context object or a variable.</summary>
    public static bool Matches(JsonObject rule, in Bindings bindings)
    {
        var b = bindings;
        if (rule["And"] is JsonArray and)
        {
            return and.All(r => Matches(r!.AsObject(), b));
        }

        if (rule["Or"] is JsonArray or)
        {
            return or.Any(r => Matches(r!.AsObject(), b));
        }

        if (rule["Not"] is JsonObject not)
        {
            return !Matches(not, bindings);
        }

        var variableText = rule["Variable"]?.GetValue<string>() ?? throw new StatesException(AslErrors.Runtime, "A Choice rule has no Variable.");
        var variablePath = JsonPath.Parse(variableText);
        var present = variablePath.TrySelect(bindings, out var variable);

        foreach (var op in Comparisons)
        {
            if (rule.TryGetPropertyValue(op, out var expected))
            {
                if (op == "IsPresent")
                {
                    return present == expected!.GetValue<bool>();
                }

                if (!present)
                {
                    throw new StatesException(AslErrors.Runtime, $"Invalid path '{variableText}' : No results for path: {variablePath.Normalized()}");
                }

                return Compare(op, variable, expected);
            }

            if (rule.TryGetPropertyValue(op + "Path", out var pathNode))
            {
                if (!present)
                {
                    throw new StatesException(AslErrors.Runtime, $"Invalid path '{variableText}' : No results for path: {variablePath.Normalized()}");
                }

                var text = pathNode!.GetValue<string>();
                var other = JsonPath.Parse(text).Select(bindings);
                return Compare(op, variable, other);
            }
        }

        throw new StatesException(AslErrors.Runtime, $"The Choice rule on '{variableText}' has no comparison operator.");
    }

    private static bool Compare(string op, JsonNode? value, JsonNode? expected)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        switch (op)
        {
            case "IsNull": return (kind == JsonValueKind.Null) == Bool(expected);
            case "IsNumeric": return (kind == JsonValueKind.Number) == Bool(expected);
            case "IsString": return (kind == JsonValueKind.String) == Bool(expected);
            case "IsBoolean": return (kind is JsonValueKind.True or JsonValueKind.False) == Bool(expected);
            case "IsTimestamp": return (kind == JsonValueKind.String && TryTimestamp(value!.GetValue<string>(), out _)) == Bool(expected);
        }

        if (op.StartsWith("String", StringComparison.Ordinal))
        {
            if (kind != JsonValueKind.String || expected?.GetValueKind() != JsonValueKind.String)
            {
                return false;
            }

            var (a, b) = (value!.GetValue<string>(), expected.GetValue<string>());
            return op switch
            {
                "StringMatches" => Wildcard(b).IsMatch(a),
                _ => Order(op["String".Length..], string.CompareOrdinal(a, b)),
            };
        }

        if (op.StartsWith("Numeric", StringComparison.Ordinal))
        {
            if (kind != JsonValueKind.Number || expected?.GetValueKind() != JsonValueKind.Number)
            {
                return false;
            }

            return Order(op["Numeric".Length..], value!.GetValue<decimal>().CompareTo(expected.GetValue<decimal>()));
        }

        if (op == "BooleanEquals")
        {
            return kind is JsonValueKind.True or JsonValueKind.False
                && expected?.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                && value!.GetValue<bool>() == expected.GetValue<bool>();
        }

        if (op.StartsWith("Timestamp", StringComparison.Ordinal))
        {
            if (kind != JsonValueKind.String || expected?.GetValueKind() != JsonValueKind.String
                || !TryTimestamp(value!.GetValue<string>(), out var a) || !TryTimestamp(expected.GetValue<string>(), out var b))
            {
                return false;
            }

            return Order(op["Timestamp".Length..], a.CompareTo(b));
        }

        throw new StatesException(AslErrors.Runtime, $"Unknown Choice operator {op}.");
    }

    private static bool Bool(JsonNode? node) => node?.GetValueKind() == JsonValueKind.True;

    private static bool Order(string relation, int comparison) => relation switch
    {
        "Equals" => comparison == 0,
        "LessThan" => comparison < 0,
        "GreaterThan" => comparison > 0,
        "LessThanEquals" => comparison <= 0,
        "GreaterThanEquals" => comparison >= 0,
        _ => false,
    };

    /// <summary>RFC 3339 timestamps as Step Functions accepts them (upper-case T and Z, offset or Z required).</summary>
    public static bool TryTimestamp(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out value)
        && (text.EndsWith('Z') || text[^6] is '+' or '-');

    /// <summary>StringMatches: '*' matches anything; '\*' is a literal star and '\\' a backslash.</summary>
    private static Regex Wildcard(string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else if (pattern[i] == '*')
            {
                regex.Append(".*");
            }
            else
            {
                regex.Append(Regex.Escape(pattern[i].ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
