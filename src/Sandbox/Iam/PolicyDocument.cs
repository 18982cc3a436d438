using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Iam;

/// <summary>One statement of an identity-based policy, as IAM reads it (Action or NotAction, Resource or NotResource).</summary>
/// <param name="Conditions">Operator (e.g. StringEquals, ArnLikeIfExists) to condition key to the values any of which may match.</param>
public sealed record PolicyStatement(
    string? Sid,
    bool Allow,
    IReadOnlyList<string> Actions,
    bool NotAction,
    IReadOnlyList<string> Resources,
    bool NotResource,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Conditions);

/// <summary>A named policy document (an inline policy, or an AWS::IAM::Policy attached to the role).</summary>
public sealed record PolicyDocument(string Name, IReadOnlyList<PolicyStatement> Statements)
{
    /// <summary>The condition operators the sandbox evaluates (each also with the IfExists suffix).</summary>
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.Ordinal)
    {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
        "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Bool", "Null",
    };

    /// <summary>Reads a policy document whose intrinsics are already resolved; refuses what IAM would refuse, and what the sandbox cannot evaluate.</summary>
    public static PolicyDocument Parse(string name, JsonNode? document)
    {
        if (document is not JsonObject o || o["Statement"] is not { } statements)
        {
            throw new InvalidDataException($"Policy {name}: a policy document needs a Statement.");
        }

        var list = statements is JsonArray a ? a.ToList() : [statements];
        return new PolicyDocument(name, [.. list.Select((s, i) => Statement(name, i, s as JsonObject ?? throw new InvalidDataException($"Policy {name}: statement {i} is not an object.")))]);
    }

    private static PolicyStatement Statement(string policy, int index, JsonObject s)
    {
        var where = $"Policy {policy}, statement {s["Sid"]?.GetValue<string>() ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var effect = s["Effect"]?.GetValue<string>();
        if (effect is not ("Allow" or "Deny"))
        {
            throw new InvalidDataException($"{where}: Effect must be Allow or Deny, not '{effect}'.");
        }

        var (actions, notAction) = OneOf(where, s, "Action", "NotAction");
        var (resources, notResource) = OneOf(where, s, "Resource", "NotResource");
        var conditions = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
        if (s["Condition"] is JsonObject condition)
        {
            foreach (var (op, keys) in condition)
            {
                var bare = op.EndsWith("IfExists", StringComparison.Ordinal) ? op[..^"IfExists".Length] : op;
                if (!Operators.Contains(bare))
                {
                    throw new InvalidDataException($"{where}: the sandbox does not evaluate the condition operator '{op}' (it evaluates {string.Join(", ", Operators)}, each also with IfExists).");
                }

                conditions[op] = (keys as JsonObject ?? throw new InvalidDataException($"{where}: condition {op} is not an object."))
                    .ToDictionary(k => k.Key, k => Strings(k.Value), StringComparer.OrdinalIgnoreCase);
            }
        }

        return new PolicyStatement(s["Sid"]?.GetValue<string>(), effect == "Allow", actions, notAction, resources, notResource, conditions);
    }

    private static (IReadOnlyList<string> Values, bool Not) OneOf(string where, JsonObject s, string name, string notName) =>
        (s[name], s[notName]) switch
        {
            ({ } v, null) => (Strings(v), false),
            (null, { } v) => (Strings(v), true),
            _ => throw new InvalidDataException($"{where}: a statement needs exactly one of {name} and {notName}."),
        };

    private static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => [.. a.Select(Text)],
        null => [],
        _ => [Text(node)],
    };

    private static string Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? string.Empty;
}
