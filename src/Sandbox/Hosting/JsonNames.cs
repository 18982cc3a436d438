using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Hosting;

/// <summary>
/// Member-name case conversions: Step Functions and CloudFormation use the SDK's PascalCase names, the
/// wire protocols camelCase.
/// </summary>
public static class JsonNames
{
    public static JsonNode? Camel(JsonNode? node) => Rename(node, k => char.ToLowerInvariant(k[0]) + k[1..]);

    public static JsonNode? Pascal(JsonNode? node) => Rename(node, k => char.ToUpperInvariant(k[0]) + k[1..]);

    private static JsonNode? Rename(JsonNode? node, Func<string, string> rename) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key.Length == 0 ? p.Key : rename(p.Key), Rename(p.Value, rename)))),
        JsonArray a => new JsonArray([.. a.Select(i => Rename(i, rename))]),
        _ => node?.DeepClone(),
    };
}
