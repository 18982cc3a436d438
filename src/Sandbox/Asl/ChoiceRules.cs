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

    /// <summary>Whether <paramref name="rule"/> matches; parses it first (the interpreter parses each rule once, at CreateStateMachine).</summary>
    public static bool Matches(JsonObject rule, in Bindings bindings) => ChoiceCondition.Parse(rule).Matches(bindings);

    /// <summary>The comparison operator a rule uses, and whether it compares with a path (…Path).</summary>
    internal static (string Op, bool ByPath, JsonNode? Operand)? Operator(JsonObject rule)
    {
        foreach (var op in Comparisons)
        {
            if (rule.TryGetPropertyValue(op, out var expected))
            {
                return (op, false, expected);
            }

            if (rule.TryGetPropertyValue(op + "Path", out var path))
            {
                return (op, true, path);
            }
        }

        return null;
    }

    internal static bool Compare(string op, JsonNode? value, JsonNode? expected, Regex? pattern = null)
    {
        if (op == "StringMatches" && pattern is not null)
        {
            return value?.GetValueKind() == JsonValueKind.String && pattern.IsMatch(value.GetValue<string>());
        }

        return Compare(op, value, expected);
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
    internal static Regex Wildcard(string pattern)
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

/// <summary>A Choice rule's condition, parsed once: And, Or, Not, or one comparison of a path's value.</summary>
public abstract class ChoiceCondition
{
    public abstract bool Matches(in Bindings bindings);

    public static ChoiceCondition Parse(JsonObject rule)
    {
        if (rule["And"] is JsonArray and)
        {
            return new All([.. and.Select(r => Parse(r!.AsObject()))]);
        }

        if (rule["Or"] is JsonArray or)
        {
            return new Any([.. or.Select(r => Parse(r!.AsObject()))]);
        }

        if (rule["Not"] is JsonObject not)
        {
            return new Negation(Parse(not));
        }

        if (rule["Variable"]?.GetValue<string>() is not { } variable)
        {
            // JSONata rules (Condition) and malformed ones fail when evaluated, as before.
            return new Invalid("A Choice rule has no Variable.");
        }

        return ChoiceRules.Operator(rule) is not { } op
            ? new Invalid($"The Choice rule on '{variable}' has no comparison operator.")
            : new Comparison(
                JsonPath.Parse(variable),
                op.Op,
                op.ByPath ? null : op.Operand?.DeepClone(),
                op.ByPath ? JsonPath.Parse(op.Operand!.GetValue<string>()) : null,
                op.Op == "StringMatches" && !op.ByPath && op.Operand is JsonValue p && p.TryGetValue<string>(out var text) ? ChoiceRules.Wildcard(text) : null);
    }

    private sealed class All(ChoiceCondition[] conditions) : ChoiceCondition
    {
        public override bool Matches(in Bindings bindings)
        {
            foreach (var condition in conditions)
            {
                if (!condition.Matches(bindings))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class Any(ChoiceCondition[] conditions) : ChoiceCondition
    {
        public override bool Matches(in Bindings bindings)
        {
            foreach (var condition in conditions)
            {
                if (condition.Matches(bindings))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Negation(ChoiceCondition inner) : ChoiceCondition
    {
        public override bool Matches(in Bindings bindings) => !inner.Matches(bindings);
    }

    private sealed class Invalid(string why) : ChoiceCondition
    {
        public override bool Matches(in Bindings bindings) => throw new StatesException(AslErrors.Runtime, why);
    }

    private sealed class Comparison(JsonPath variable, string op, JsonNode? expected, JsonPath? expectedPath, Regex? pattern) : ChoiceCondition
    {
        public override bool Matches(in Bindings bindings)
        {
            var present = variable.TrySelect(bindings, out var value);
            if (op == "IsPresent")
            {
                return present == (expected?.GetValueKind() == JsonValueKind.True);
            }

            if (!present)
            {
                throw new StatesException(AslErrors.Runtime, $"Invalid path '{variable.Text}' : No results for path: {variable.Normalized()}");
            }

            return ChoiceRules.Compare(op, value, expectedPath is null ? expected : expectedPath.Select(bindings), pattern);
        }
    }
}
