using System.Text.Json.Nodes;

namespace BatchOps.TestSupport;

/// <summary>The checked-in synthesized CDK template, and copies of it with one IAM statement taken out.</summary>
public static class TemplateCopies
{
    public static string Synthesized => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Infrastructure", "synth", "BatchOps.template.json"));

    /// <summary>Removes the statements granting <paramref name="action"/> from the AWS::IAM::Policy whose logical id starts with <paramref name="policyPrefix"/>.</summary>
    public static string WithoutStatement(string template, string policyPrefix, string action)
    {
        var root = JsonNode.Parse(template)!.AsObject();
        var (_, policy) = root["Resources"]!.AsObject().Single(r => r.Key.StartsWith(policyPrefix, StringComparison.Ordinal) && r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Policy");
        var statements = policy!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        var removed = statements.Where(s => Actions(s!).Contains(action)).ToList();
        if (removed.Count == 0)
        {
            throw new InvalidOperationException($"No statement of {policyPrefix}* grants {action}: the template changed, update the test.");
        }

        foreach (var statement in removed)
        {
            statements.Remove(statement);
        }

        return root.ToJsonString();
    }

    /// <summary>Adds a statement to the AWS::IAM::Policy whose logical id starts with <paramref name="policyPrefix"/>.</summary>
    public static string WithStatement(string template, string policyPrefix, string statementJson)
    {
        var root = JsonNode.Parse(template)!.AsObject();
        var (_, policy) = root["Resources"]!.AsObject().Single(r => r.Key.StartsWith(policyPrefix, StringComparison.Ordinal) && r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Policy");
        policy!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Add(JsonNode.Parse(statementJson));
        return root.ToJsonString();
    }

    /// <summary>Writes a template copy where the dashboard's sandbox mode can deploy it (Sandbox:Template); the caller deletes it.</summary>
    public static string WriteTemporary(string template)
    {
        var path = Path.Combine(Path.GetTempPath(), "batchops-tests", $"template-{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, template);
        return path;
    }

    private static IEnumerable<string> Actions(JsonNode statement) =>
        statement["Action"] is JsonArray a ? a.Select(v => v!.GetValue<string>()) : [statement["Action"]!.GetValue<string>()];
}
