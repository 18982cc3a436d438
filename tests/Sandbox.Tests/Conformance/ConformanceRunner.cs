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
        // A recording that ends while the execution still runs (a wait of years) is compared with what we have by then;
        // one stopped through the API (ExecutionAborted) is stopped the same way here, at the same point. Those run on
        // real time, so the state they stopped in cannot finish before the stop.
        var stopped = events[^1]["type"]!.GetValue<string>() == "ExecutionAborted";
        var stillRunning = stopped || events[^1]["type"]!.GetValue<string>() is not ("ExecutionSucceeded" or "ExecutionFailed" or "ExecutionTimedOut");
        var time = new ScaledTimeProvider(stillRunning ? 1 : 1000);
        var definition = FillResources(FillTemplate(template, recorded, time), events);
        var tokens = new TaskTokens();
        var canned = new CannedResponses(tokens);
        foreach (var (state, response) in Responses(events))
        {
            canned.Enqueue(state, response);
        }

        var interpreter = new Interpreter([canned], tokens, time, new Random(1));
        var history = new History(time);
        var input = FillInput(Parse(events[0]["executionStartedEventDetails"]?["input"]), recorded, time);
        var execution = new ExecutionInfo("arn:aws:states:us-east-1:111111111111:execution:sm:exec", "exec", "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "sm", "arn:aws:iam::111111111111:role/sfn", time.GetUtcNow(), "us-east-1", "111111111111", input, 0);
        var cursor = new Cursor(0);
        history.Add(cursor, "ExecutionStarted", e => e with { ExecutionStartedEventDetails = new() { Input = Interpreter.Json(input), RoleArn = execution.RoleArn } });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        RunOutcome outcome;
        try
        {
            var run = interpreter.RunAsync(StateMachineDefinition.Parse(definition), execution, history, cursor, null, input, true, cts.Token);
            if (stillRunning)
            {
                // Stop once the history holds what the recording had when it was taken (or stopped).
                var target = events.Count - (stopped ? 1 : 0);
                while (!run.IsCompleted && history.Count < target)
                {
                    await Task.Delay(1, cts.Token);
                }

                await cts.CancelAsync();
            }

            outcome = await run;
        }
        catch (OperationCanceledException) when (stillRunning)
        {
            if (stopped)
            {
                history.Add(new Cursor(0), "ExecutionAborted", e => e with { ExecutionAbortedEventDetails = new() });
            }

            return Compare(events, history.Snapshot().Select(e => JsonNode.Parse(JsonSerializer.Serialize(e, AwsJson.Options))!.AsObject()).ToList());
        }

        history.Add(cursor, outcome.Succeeded ? "ExecutionSucceeded" : "ExecutionFailed", e => outcome.Succeeded
            ? e with { ExecutionSucceededEventDetails = new() { Output = Interpreter.Json(outcome.Output) } }
            : e with { ExecutionFailedEventDetails = new() { Error = Interpreter.NullIfEmpty(outcome.Error), Cause = Interpreter.NullIfEmpty(outcome.Cause) } });
        if (events[^1]["type"]!.GetValue<string>() == "ExecutionTimedOut")
        {
            return "execution-level timeout in the recording (covered by the API tests)";
        }

        var ours = history.Snapshot().Select(e => JsonNode.Parse(JsonSerializer.Serialize(e, AwsJson.Options))!.AsObject()).ToList();
        if (events.Any(e => Id(e["id"]) is null) && !events.Any(e => e["type"]!.GetValue<string>() is "ParallelStateSucceeded" or "ParallelStateFailed"))
        {
            // Where the recording test normalised Parallel branch events (ids replaced by [0]) it also dropped the
            // Parallel state's Succeeded/Failed event: its ids skip one there (11 -> 13), so AWS did record it.
            ours.RemoveAll(e => e["type"]!.GetValue<string>() is "ParallelStateSucceeded" or "ParallelStateFailed");
        }

        return Compare(events, ours);
    }

    /// <summary>
    /// Completes the template as the recording's test did (RecordedTemplates.txt, third column): "replace TEXT with VALUE"
    /// in the template's text, or "set /States/A/Parameters/x.$ = VALUE" at a path.
    /// </summary>
    private static JsonObject FillTemplate(JsonObject template, RecordedExecution recorded, TimeProvider time)
    {
        var text = template.ToJsonString();
        foreach (var fill in recorded.Fills.Where(f => f.StartsWith("replace ", StringComparison.Ordinal)))
        {
            var (what, value) = Split(fill["replace ".Length..], " with ");
            text = text.Replace(what, Value(value, recorded, time), StringComparison.Ordinal);
        }

        var filled = JsonNode.Parse(text)!.AsObject();
        foreach (var fill in recorded.Fills.Where(f => f.StartsWith("set", StringComparison.Ordinal)))
        {
            // "set" puts a string; "set-json" a JSON value.
            var json = fill.StartsWith("set-json ", StringComparison.Ordinal);
            var (path, value) = Split(fill[(json ? "set-json " : "set ").Length..], " = ");
            var keys = path.Trim('/').Split('/');
            var target = keys[..^1].Aggregate((JsonNode)filled, (node, key) => node[key]!);
            target[keys[^1]] = json ? JsonNode.Parse(Value(value, recorded, time)) : Value(value, recorded, time);
        }

        return filled;
    }

    /// <summary>"input FIELD = VALUE": the recording replaced this input value (a timestamp) by a placeholder.</summary>
    private static JsonNode? FillInput(JsonNode? input, RecordedExecution recorded, TimeProvider time)
    {
        foreach (var fill in recorded.Fills.Where(f => f.StartsWith("input ", StringComparison.Ordinal)))
        {
            var (field, value) = Split(fill["input ".Length..], " = ");
            input![field] = Value(value, recorded, time);
        }

        return input;
    }

    private static (string, string) Split(string text, string separator) =>
        text.Split(separator, 2) is [var left, var right] ? (left, right) : throw new FormatException($"RecordedTemplates.txt: '{text}' has no '{separator}'");

    /// <summary>
    /// {param} is the test's parameter; {now+10s} / {now+24855d} a time from now as the test formats it (no zone);
    /// {repeat:a:263168} that many copies of a character (a payload of a given size).
    /// </summary>
    private static string Value(string value, RecordedExecution recorded, TimeProvider time) =>
        FillValue().Replace(Repeat().Replace(value.Replace("{param}", recorded.Parameter, StringComparison.Ordinal), m => new string(m.Groups[1].Value[0], int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))), m =>
        {
            var amount = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var at = time.GetUtcNow() + (m.Groups[2].Value == "d" ? TimeSpan.FromDays(amount) : TimeSpan.FromSeconds(amount));
            return at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        });

    [GeneratedRegex(@"\{now\+(\d+)([sd])\}")]
    private static partial Regex FillValue();

    [GeneratedRegex(@"\{repeat:(.):(\d+)\}")]
    private static partial Regex Repeat();

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

        // Events are matched in recorded order; an event's previousEventId must point at the counterpart of the recorded
        // one (where the recording kept numeric ids: it replaces them in Parallel branches, whose order is not fixed).
        var pending = ours.ToList();
        var counterpart = new Dictionary<long, long>();
        foreach (var expected in recorded)
        {
            bool Chained(JsonObject a) => Id(expected["id"]) is null || Id(expected["previousEventId"]) is not { } previous
                || (previous == 0 ? a["previousEventId"]!.GetValue<long>() == 0 : !counterpart.TryGetValue(previous, out var mapped) || a["previousEventId"]!.GetValue<long>() == mapped);
            var match = concurrent
                ? pending.FirstOrDefault(a => a["type"]!.GetValue<string>() == expected["type"]!.GetValue<string>() && DetailsDiffer(expected, a) is null && Chained(a))
                    ?? pending.FirstOrDefault(a => a["type"]!.GetValue<string>() == expected["type"]!.GetValue<string>() && DetailsDiffer(expected, a) is null)
                : pending[0];
            if (match is null || DetailsDiffer(expected, match) is { } difference)
            {
                return $"event {expected["id"]} ({expected["type"]}) differs: {(match is null ? "no matching event" : DetailsDiffer(expected, match))}";
            }

            if (!Chained(match))
            {
                return $"event {expected["id"]} ({expected["type"]}) follows event {expected["previousEventId"]} in the recording, but the sandbox's follows {match["previousEventId"]} (its counterpart is {counterpart.GetValueOrDefault(expected["previousEventId"]!.GetValue<long>())})";
            }

            if (expected["id"] is JsonValue id && id.TryGetValue<long>(out var recordedId))
            {
                counterpart[recordedId] = match["id"]!.GetValue<long>();
            }

            pending.Remove(match);
        }

        return null;
    }

    private static readonly string[] Compared = ["input", "output", "error", "cause", "name", "assignedVariables"];

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
                var e = field == "assignedVariables" ? Values(theirs[field]) : theirs[field];
                var a = field == "assignedVariables" ? Values(ours[field]) : Parse(ours[field]);
                // The recording parsed object payloads but kept others ("42", "[1,2]", "\"text\"") as JSON text.
                if (!Same(e, a) && !(e is JsonValue text && text.GetValueKind() == JsonValueKind.String && Same(Parse(e), a)))
                {
                    return $"{key}.{field}: recorded {e?.ToJsonString() ?? "absent"}, sandbox {a?.ToJsonString() ?? "absent"}";
                }
            }
        }

        return null;
    }

    /// <summary>Assigned variables are JSON texts (the recording parsed some of them): compare the values they hold.</summary>
    private static JsonObject? Values(JsonNode? assigned) =>
        assigned is JsonObject values ? new JsonObject(values.Select(p => KeyValuePair.Create(p.Key, Parse(p.Value)))) : null;

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

    /// <summary>An event id, or null where the recording replaced it (Parallel branches).</summary>
    private static long? Id(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var id) ? id : null;

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
        var byId = events.Where(e => Id(e["id"]) is not null).ToDictionary(e => Id(e["id"])!.Value);
        foreach (var (name, node) in machine["States"]!.AsObject())
        {
            var state = node!.AsObject();
            if (state["Resource"]?.GetValue<string>() is { } resource && PlaceholderResource().IsMatch(resource))
            {
                var scheduled = events.FirstOrDefault(e => e["type"]!.GetValue<string>() is "LambdaFunctionScheduled" or "TaskScheduled" && StateOf(e, byId) == name);
                // The recording hides the partition and region of Lambda ARNs: put the sandbox's back.
                state["Resource"] = scheduled?["lambdaFunctionScheduledEventDetails"]?["resource"]?.GetValue<string>().Replace("<partition>", "aws", StringComparison.Ordinal).Replace("<region>", "us-east-1", StringComparison.Ordinal)
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
        var byId = events.Where(e => Id(e["id"]) is not null).ToDictionary(e => Id(e["id"])!.Value);
        foreach (var scheduled in events.Where(e => e["type"]!.GetValue<string>() is "TaskScheduled" or "LambdaFunctionScheduled"))
        {
            var state = StateOf(scheduled, byId);
            JsonNode? submitted = null;
            var current = scheduled;
            CannedResponse? response = null;
            while (events.FirstOrDefault(e => Id(e["previousEventId"]) is { } p && p == Id(current["id"]) && (e["type"]!.GetValue<string>().StartsWith("Task", StringComparison.Ordinal) || e["type"]!.GetValue<string>().StartsWith("LambdaFunction", StringComparison.Ordinal)) && !e["type"]!.GetValue<string>().EndsWith("StateExited", StringComparison.Ordinal) && !e["type"]!.GetValue<string>().EndsWith("StateEntered", StringComparison.Ordinal)) is { } next)
            {
                var details = next.FirstOrDefault(p => p.Key.EndsWith("EventDetails", StringComparison.Ordinal)).Value as JsonObject ?? new JsonObject();
                switch (next["type"]!.GetValue<string>())
                {
                    // Outputs are JSON texts; the recording parsed the objects among them but kept the rest as text.
                    case "TaskSubmitted": submitted = Parse(details["output"]); break;
                    case "TaskSucceeded" or "LambdaFunctionSucceeded": response = new CannedResponse(Return: Parse(details["output"]), Submitted: submitted, Callback: Parse(details["output"])); break;
                    case "TaskFailed":
                    case "LambdaFunctionFailed":
                    case "TaskStartFailed":
                    case "TaskSubmitFailed":
                        var cause = details["cause"];
                        response = new CannedResponse(Submitted: submitted, Error: details["error"]?.GetValue<string>() ?? string.Empty, Cause: cause is JsonValue cv && cv.GetValueKind() == JsonValueKind.String ? cv.GetValue<string>() : cause?.ToJsonString() ?? string.Empty);
                        break;
                    case "TaskTimedOut" or "LambdaFunctionTimedOut": response = new CannedResponse(Submitted: submitted, Hang: true); break;
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
        while (current["stateEnteredEventDetails"] is null && Id(current["previousEventId"]) is > 0 and var previous && byId.ContainsKey(previous))
        {
            current = byId[previous];
        }

        return current["stateEnteredEventDetails"]?["name"]?.GetValue<string>() ?? string.Empty;
    }
}
