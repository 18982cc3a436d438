using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Conformance;

/// <summary>
/// One execution recorded against real Step Functions (../shared/aws/recorded/stepfunctions), with the template its
/// test ran (<see cref="TemplatePath"/>), or why it has none (<see cref="NoTemplate"/>).
/// </summary>
public sealed record RecordedExecution(string File, string Test, JsonArray Events, string? TemplatePath, JsonObject? Template, string? NoTemplate)
{
    /// <summary>How the recording's test completed its template or input (see <see cref="Fills"/>), or none.</summary>
    public IReadOnlyList<string> Fills { get; init; } = [];

    /// <summary>The test's parameter: "$.items[10]" in test_json_path_array_access[$.items[10]].</summary>
    public string Parameter => Test.IndexOf('[', StringComparison.Ordinal) is var open and >= 0 && Test.EndsWith(']') ? Test[(open + 1)..^1] : string.Empty;

    public override string ToString() => $"{File}::{Test}";
}

/// <summary>Loads the recordings, each paired with the one template RecordedTemplates.txt names for it.</summary>
public static class RecordedExecutions
{
    private static readonly JsonDocumentOptions Json5Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static string Root => Path.Combine(RepositoryPaths.SharedAws, "recorded", "stepfunctions");

    /// <summary>Recording → template and its fills (or "-" and why not), from RecordedTemplates.txt.</summary>
    public static IReadOnlyDictionary<string, (string? Template, string? Why, string[] Fills)> Pairings { get; } = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Conformance", "RecordedTemplates.txt"))
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(" | "))
        .ToDictionary(p => p[0], p => p[1] == "-" ? ((string?)null, (string?)p[2], Array.Empty<string>()) : (p[1], null, p[2..]), StringComparer.Ordinal);

    public static IReadOnlyList<RecordedExecution> All { get; } = Load();

    private static List<RecordedExecution> Load()
    {
        var cases = new List<RecordedExecution>();
        foreach (var file in Directory.GetFiles(Root, "*.snapshot.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(Root, file);
            var snapshot = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            // Named by test; by class and test where two classes of one file share a test name (a renamed class's old
            // recording kept beside the new one).
            static string Short(string test) => test[(test.LastIndexOf("::", StringComparison.Ordinal) + 2)..];
            static string Qualified(string test) => test[(test.IndexOf("::", StringComparison.Ordinal) + 2)..];
            var shared = snapshot.Select(p => Short(p.Key)).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var (test, entry) in snapshot)
            {
                foreach (var (key, content) in entry!["recorded-content"]!.AsObject())
                {
                    if (content is JsonObject recordedCall && recordedCall["events"] is JsonArray events && events.Count > 0 && events[0]!["type"]!.GetValue<string>() == "ExecutionStarted")
                    {
                        var name = (shared.Contains(Short(test)) ? Qualified(test) : Short(test)) + (key == "get_execution_history" ? string.Empty : "/" + key);
                        var id = $"{relative}::{name}";
                        var (template, why, fills) = Pairings.TryGetValue(id, out var pairing) ? pairing : (null, "not paired in RecordedTemplates.txt", []);
                        cases.Add(new RecordedExecution(relative, name, events, template, template is null ? null : LoadTemplate(template), why) { Fills = fills });
                    }
                }
            }
        }

        return cases;
    }

    private static JsonObject LoadTemplate(string path) =>
        JsonNode.Parse(Json5.ToJson(File.ReadAllText(Path.Combine(Root, "templates", path))), documentOptions: Json5Options) as JsonObject
        ?? throw new InvalidDataException($"{path} is not a JSON object");

    public static HashSet<string> StateNames(JsonObject machine)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, state) in machine["States"]!.AsObject())
        {
            names.Add(name);
            foreach (var nested in (state!["Branches"] as JsonArray ?? []).Append(state["Iterator"]).Append(state["ItemProcessor"]))
            {
                if (nested is JsonObject branch && branch["States"] is JsonObject)
                {
                    names.UnionWith(StateNames(branch));
                }
            }
        }

        return names;
    }
}
