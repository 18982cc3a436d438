using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Conformance;

/// <summary>One execution recorded against real Step Functions (../shared/aws/recorded/stepfunctions).</summary>
public sealed record RecordedExecution(string File, string Test, JsonArray Events, IReadOnlyList<(string Path, JsonObject Definition)> Templates)
{
    public override string ToString() => $"{File}::{Test}";
}

/// <summary>Loads the recordings and finds the template each one ran (by the states it entered).</summary>
public static class RecordedExecutions
{
    private static readonly JsonDocumentOptions Json5Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static string Root => Path.Combine(RepositoryPaths.SharedAws, "recorded", "stepfunctions");

    public static IReadOnlyList<(string Path, JsonObject Definition)> Templates { get; } = LoadTemplates();

    public static IReadOnlyList<RecordedExecution> All { get; } = Load();

    private static List<(string, JsonObject)> LoadTemplates() =>
        [.. Directory.GetFiles(Path.Combine(Root, "templates"), "*.json5", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(Path.Combine(Root, "templates"), f), JsonNode.Parse(Json5.ToJson(File.ReadAllText(f)), documentOptions: Json5Options) as JsonObject))
            .Where(t => t.Item2 is not null && t.Item2["States"] is JsonObject)
            .Select(t => (t.Item1, t.Item2!))];

    private static List<RecordedExecution> Load()
    {
        var cases = new List<RecordedExecution>();
        foreach (var file in Directory.GetFiles(Root, "*.snapshot.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(Root, file);
            var snapshot = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var (test, entry) in snapshot)
            {
                foreach (var (key, content) in entry!["recorded-content"]!.AsObject())
                {
                    if (content is JsonObject recordedCall && recordedCall["events"] is JsonArray events && events.Count > 0 && events[0]!["type"]!.GetValue<string>() == "ExecutionStarted")
                    {
                        var name = test[(test.LastIndexOf("::", StringComparison.Ordinal) + 2)..] + (key == "get_execution_history" ? string.Empty : "/" + key);
                        cases.Add(new RecordedExecution(relative, name, events, Rank(Candidates(events), name)));
                    }
                }
            }
        }

        return cases;
    }

    /// <summary>Templates named like the test first (test_math_add -> math_add.json5), the rest after.</summary>
    private static List<(string Path, JsonObject Definition)> Rank(List<(string Path, JsonObject Definition)> candidates, string test)
    {
        var words = test.Split('/')[0].Replace("test_", string.Empty, StringComparison.Ordinal).Split('[')[0];
        var testWords = words.Split('_').ToHashSet(StringComparer.Ordinal);
        return [.. candidates.OrderByDescending(c =>
        {
            var stem = Path.GetFileNameWithoutExtension(c.Path);
            var exact = stem == words ? 100 : stem.Contains(words, StringComparison.Ordinal) || words.Contains(stem, StringComparison.Ordinal) ? 50 : 0;
            return exact + stem.Split('_').Count(testWords.Contains);
        })];
    }

    /// <summary>Templates whose StartAt is the first state entered and that declare every state entered.</summary>
    private static List<(string, JsonObject)> Candidates(JsonArray events)
    {
        var entered = events.Where(e => e!["type"]!.GetValue<string>().EndsWith("StateEntered", StringComparison.Ordinal))
            .Select(e => e!["stateEnteredEventDetails"]!["name"]!.GetValue<string>()).ToList();
        if (entered.Count == 0)
        {
            return [];
        }

        return [.. Templates.Where(t => t.Definition["StartAt"]?.GetValue<string>() == entered[0] && entered.All(n => StateNames(t.Definition).Contains(n)))];
    }

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
