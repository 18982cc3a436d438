using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchOps.Aws.Runtime;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Integrations;

namespace BatchOps.Sandbox.Tests.Conformance;

/// <summary>
/// Replays a recorded execution: the template runs in our interpreter with the recorded input, and every
/// service call answers with what the real service answered (as canned responses). The resulting history
/// must have the same event types and the same state inputs, outputs, errors and causes.
/// </summary>
public static partial class ConformanceRunner
{
    public static async Task<string?> RunAsync(RecordedExecution recorded, JsonObject template)
    {
        var events = recorded.Events.Select(e => e!.AsObject()).ToList();
        var definition = FillResources((JsonObject)template.DeepClone(), events);
        var time = new ScaledTimeProvider(1000);
        var tokens = new TaskTokens();
        var canned = new CannedResponses(tokens);
        foreach (var (state, response) in Responses(events))
        {
            canned.Enqueue(state, response);
        }

        var interpreter = new Interpreter([canned], tokens, time, new Random(1));
        var history = new History(time);
        var input = Parse(events[0]["executionStartedEventDetails"]?["input"]);
        var execution = new ExecutionInfo("arn:aws:states:us-east-1:111111111111:execution:sm:exec", "exec", "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "sm", "arn:aws:iam::111111111111:role/sfn", time.GetUtcNow(), "us-east-1", "111111111111", input, 0);
        var cursor = new Cursor(0);
        history.Add(cursor, "ExecutionStarted", e => e with { ExecutionStartedEventDetails = new() { Input = Interpreter.Json(input), RoleArn = execution.RoleArn } });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var outcome = await interpreter.RunAsync(definition, execution, history, cursor, null, input, true, cts.Token);
        history.Add(cursor, outcome.Succeeded ? "ExecutionSucceeded" : "ExecutionFailed", e => outcome.Succeeded
            ? e with { ExecutionSucceededEventDetails = new() { Output = Interpreter.Json(outcome.Output) } }
            : e with { ExecutionFailedEventDetails = new() { Error = Interpreter.NullIfEmpty(outcome.Error), Cause = Interpreter.NullIfEmpty(outcome.Cause) } });
        if (events[^1]["type"]!.GetValue<string>() == "ExecutionTimedOut" || events.Any(e => e["type"]!.GetValue<string>() == "ExecutionAborted"))
        {
            return "execution-level timeout/abort in the recording (covered by the API tests)";
        }

        var ours = history.Snapshot().Select(e => JsonNode.Parse(JsonSerializer.Serialize(e, AwsJson.Options))!.AsObject()).ToList();
        return Compare(events, ours);
    }

    private static string? Compare(List<JsonObject> recorded, List<JsonObject> ours)
    {
        var expectedTypes = recorded.Select(e => e["type"]!.GetValue<string>()).ToList();
        var actualTypes = ours.Select(e => e["type"]!.GetValue<string>()).ToList();
        var concurrent = expectedTypes.Any(t => t.StartsWith("Parallel", StringComparison.Ordinal) || t.StartsWith("Map", StringComparison.Ordinal));
        if (concurrent ? !expectedTypes.Order().SequenceEqual(actualTypes.Order()) : !expectedTypes.SequenceEqual(actualTypes))
        {
            var failure = ours.LastOrDefault(e => e["executionFailedEventDetails"] is not null)?["executionFailedEventDetails"]?.ToJsonString();
            return $"event types differ:\n  recorded: {string.Join(", ", expectedTypes)}\n  sandbox:  {string.Join(", ", actualTypes)}" + (failure is null ? string.Empty : $"\n  sandbox failure: {failure}");
        }

        var pending = ours.ToList();
        foreach (var expected in recorded)
        {
            var match = concurrent
                ? pending.FirstOrDefault(a => a["type"]!.GetValue<string>() == expected["type"]!.GetValue<string>() && DetailsDiffer(expected, a) is null)
                : pending[0];
            if (match is null || DetailsDiffer(expected, match) is { } difference)
            {
                return $"event {expected["id"]} ({expected["type"]}) differs: {(match is null ? "no matching event" : DetailsDiffer(expected, match))}";
            }

            pending.Remove(match);
        }

        return null;
    }

    private static readonly string[] Compared = ["input", "output", "error", "cause", "name"];

    private static string? DetailsDiffer(JsonObject expected, JsonObject actual)
    {
        foreach (var (key, value) in expected)
        {
            if (!key.EndsWith("EventDetails", StringComparison.Ordinal) || key.StartsWith("taskScheduled", StringComparison.Ordinal) || key.StartsWith("taskSubmitted", StringComparison.Ordinal) || key.StartsWith("taskSucceeded", StringComparison.Ordinal))
            {
                continue;
            }

            var theirs = value!.AsObject();
            var ours = actual[key] as JsonObject ?? new JsonObject();
            foreach (var field in Compared)
            {
                var e = theirs[field];
                var a = Parse(ours[field]);
                if (!Same(e, a))
                {
                    return $"{key}.{field}: recorded {e?.ToJsonString() ?? "absent"}, sandbox {a?.ToJsonString() ?? "absent"}";
                }
            }
        }

        return null;
    }

    /// <summary>Equal JSON, where the recording's placeholders (&lt;uuid:1&gt;, timestamp, cluster_arn...) match anything.</summary>
    private static bool Same(JsonNode? expected, JsonNode? actual)
    {
        if (expected is JsonValue ev && ev.GetValueKind() == JsonValueKind.String && IsPlaceholder(ev.GetValue<string>()))
        {
            return true;
        }

        // The random-number tests replace the generated number with this marker.
        if (expected is JsonValue marker && marker.GetValueKind() == JsonValueKind.String && marker.GetValue<string>() == "RandomNumberGenerated")
        {
            return actual?.GetValueKind() == JsonValueKind.Number;
        }

        return (expected, actual) switch
        {
            (JsonObject eo, JsonObject ao) => eo.Count == ao.Count && eo.All(p => ao.ContainsKey(p.Key) && Same(p.Value, ao[p.Key])),
            (JsonArray ea, JsonArray aa) => ea.Count == aa.Count && ea.Zip(aa).All(p => Same(p.First, p.Second)),
            (JsonValue e2, JsonValue a2) when e2.GetValueKind() == JsonValueKind.String && a2.GetValueKind() == JsonValueKind.String
                => Placeholders().Replace(e2.GetValue<string>(), "\u0001") is var pattern && (pattern == a2.GetValue<string>() || (pattern.Contains('\u0001', StringComparison.Ordinal) && Regex.IsMatch(a2.GetValue<string>(), "^" + Regex.Escape(pattern).Replace("\u0001", ".*", StringComparison.Ordinal) + "$", RegexOptions.Singleline))),
            _ => JsonNode.DeepEquals(expected, actual),
        };
    }

    private static bool IsPlaceholder(string text) =>
        text is "timestamp" or "date" or "time" or "datetime" or "start-date" or "start-time" or "entered-time" || PlaceholderWord().IsMatch(text) || Placeholders().Match(text) is { Success: true } m && m.Length == text.Length;

    [GeneratedRegex("<[^<>]+>")]
    private static partial Regex Placeholders();

    [GeneratedRegex("^[a-z]+(_[a-z0-9]+)+$")]
    private static partial Regex PlaceholderWord();

    private static JsonNode? Parse(JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            try
            {
                return JsonNode.Parse(v.GetValue<string>());
            }
            catch (JsonException)
            {
                return node.DeepClone();
            }
        }

        return node?.DeepClone();
    }

    /// <summary>
    /// Some templates leave "Resource" as a placeholder (__tbd__) that the recording test filled in: take it
    /// from the recorded LambdaFunctionScheduled/TaskScheduled event of that state.
    /// </summary>
    private static JsonObject FillResources(JsonObject machine, List<JsonObject> events)
    {
        var byId = events.ToDictionary(e => e["id"]!.GetValue<long>());
        foreach (var (name, node) in machine["States"]!.AsObject())
        {
            var state = node!.AsObject();
            if (state["Resource"]?.GetValue<string>() is { } resource && PlaceholderResource().IsMatch(resource))
            {
                var scheduled = events.FirstOrDefault(e => e["type"]!.GetValue<string>() is "LambdaFunctionScheduled" or "TaskScheduled" && StateOf(e, byId) == name);
                state["Resource"] = scheduled?["lambdaFunctionScheduledEventDetails"]?["resource"]?.GetValue<string>()
                    ?? (scheduled?["taskScheduledEventDetails"] is { } t ? $"arn:aws:states:::{t["resourceType"]}:{t["resource"]}" : resource);
            }

            foreach (var branch in (state["Branches"] as JsonArray ?? []).Append(state["Iterator"]).Append(state["ItemProcessor"]).OfType<JsonObject>())
            {
                FillResources(branch, events);
            }
        }

        return machine;
    }

    [GeneratedRegex("^_+tb[cd]_+$")]
    private static partial Regex PlaceholderResource();

    /// <summary>What each service call answered in the recording, keyed by the calling state's name.</summary>
    private static IEnumerable<(string State, CannedResponse Response)> Responses(List<JsonObject> events)
    {
        var byId = events.ToDictionary(e => e["id"]!.GetValue<long>());
        foreach (var scheduled in events.Where(e => e["type"]!.GetValue<string>() is "TaskScheduled"))
        {
            var state = StateOf(scheduled, byId);
            JsonNode? submitted = null;
            var current = scheduled;
            CannedResponse? response = null;
            while (events.FirstOrDefault(e => e["previousEventId"]?.GetValue<long>() == current["id"]!.GetValue<long>() && e["type"]!.GetValue<string>().StartsWith("Task", StringComparison.Ordinal) && !e["type"]!.GetValue<string>().EndsWith("StateExited", StringComparison.Ordinal) && !e["type"]!.GetValue<string>().EndsWith("StateEntered", StringComparison.Ordinal)) is { } next)
            {
                var details = next.First(p => p.Key.EndsWith("EventDetails", StringComparison.Ordinal)).Value!.AsObject();
                switch (next["type"]!.GetValue<string>())
                {
                    case "TaskSubmitted": submitted = details["output"]?.DeepClone(); break;
                    case "TaskSucceeded": response = new CannedResponse(Return: details["output"]?.DeepClone(), Submitted: submitted, Callback: details["output"]?.DeepClone()); break;
                    case "TaskFailed":
                    case "TaskStartFailed":
                    case "TaskSubmitFailed":
                        var cause = details["cause"];
                        response = new CannedResponse(Submitted: submitted, Error: details["error"]?.GetValue<string>() ?? string.Empty, Cause: cause is JsonValue cv && cv.GetValueKind() == JsonValueKind.String ? cv.GetValue<string>() : cause?.ToJsonString() ?? string.Empty);
                        break;
                    case "TaskTimedOut": response = new CannedResponse(Submitted: submitted, Hang: true); break;
                }

                current = next;
            }

            if (response is not null)
            {
                yield return (state, response);
            }
        }
    }

    private static string StateOf(JsonObject e, Dictionary<long, JsonObject> byId)
    {
        var current = e;
        while (current["stateEnteredEventDetails"] is null && current["previousEventId"]?.GetValue<long>() is > 0 and var previous)
        {
            current = byId[previous];
        }

        return current["stateEnteredEventDetails"]?["name"]?.GetValue<string>() ?? string.Empty;
    }
}
