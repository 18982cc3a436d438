using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// Execution histories recorded against real AWS (../shared/aws/recorded/stepfunctions), turned back into the wire shape:
/// the recordings store input/output/cause/parameters as parsed JSON and replace timestamps with "timestamp", so those
/// are re-serialized and given increasing times (one second per event id).
/// </summary>
public static class RecordedHistories
{
    private static readonly DateTimeOffset Origin = new(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);
    private static readonly string[] StringFields = ["input", "output", "cause", "parameters", "error"];

    public static List<HistoryEvent> Load(string file, string testName, string key = "get_execution_history")
    {
        var path = Path.Combine(RepositoryPaths.SharedAws, "recorded", "stepfunctions", file);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var test = root.Single(p => p.Key.EndsWith("::" + testName, StringComparison.Ordinal)).Value!["recorded-content"]!;
        var history = test[key] ?? throw new KeyNotFoundException($"{testName} has no {key}; it has {string.Join(", ", test.AsObject().Select(p => p.Key))}");
        var events = history["events"]!.AsArray();
        foreach (var e in events.Select(e => e!.AsObject()))
        {
            e["timestamp"] = Origin.AddSeconds(e["id"]!.GetValue<long>()).ToUnixTimeMilliseconds() / 1000.0;
            foreach (var details in e.Where(p => p.Key.EndsWith("EventDetails", StringComparison.Ordinal)).Select(p => p.Value).OfType<JsonObject>())
            {
                foreach (var field in StringFields)
                {
                    if (details[field] is { } value && value.GetValueKind() != JsonValueKind.String)
                    {
                        details[field] = value.ToJsonString();
                    }
                }
            }
        }

        return events.Deserialize<List<HistoryEvent>>(AwsJson.Options)!;
    }
}
