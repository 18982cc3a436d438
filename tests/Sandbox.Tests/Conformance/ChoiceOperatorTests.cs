using System.Text.Json.Nodes;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Integrations;

namespace BatchOps.Sandbox.Tests.Conformance;

/// <summary>
/// The recorded Choice-operator cases (choice_operators/*.snapshot.json): each test names an operator
/// (test_numeric_greater_than_path -> NumericGreaterThanPath) and records, per input, which branch real
/// Step Functions took. The recorded template (%ComparisonOperatorType%) runs with that operator.
/// </summary>
public sealed class ChoiceOperatorTests
{
    public static TheoryData<string, string> Tests()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RecordedExecutions.Root, "choice_operators"), "*.snapshot.json").Order(StringComparer.Ordinal))
        {
            foreach (var (test, _) in JsonNode.Parse(File.ReadAllText(file))!.AsObject())
            {
                data.Add(Path.GetFileName(file), test[(test.LastIndexOf("::", StringComparison.Ordinal) + 2)..]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Tests))]
    public async Task Choice_rules_take_the_branch_real_Step_Functions_took(string file, string test)
    {
        var snapshot = JsonNode.Parse(File.ReadAllText(Path.Combine(RecordedExecutions.Root, "choice_operators", file)))!.AsObject();
        var cases = snapshot.First(p => p.Key.EndsWith("::" + test, StringComparison.Ordinal)).Value!["recorded-content"]!["cases"]!.AsArray();
        var path = test.EndsWith("_path", StringComparison.Ordinal);
        var op = string.Concat(test["test_".Length..].Replace("_path", string.Empty, StringComparison.Ordinal).Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..])) + (path ? "Path" : string.Empty);
        var template = File.ReadAllText(Directory.GetFiles(Path.Combine(RecordedExecutions.Root, "templates", "choiceoperators"), "*.json5", SearchOption.AllDirectories).Single());
        var mismatches = new List<string>();
        var compared = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var input = RecordedInput(test, i, cases[i]!["input"]!.AsObject());
            compared++;
            var definition = JsonNode.Parse(Json5.ToJson(template.Replace("%ComparisonOperatorType%", op, StringComparison.Ordinal)))!.AsObject();
            if (!path)
            {
                // The recording test puts the literal value into the rule; the template's "$.Value" stands for it.
                definition["States"]!["CheckValues"]!["Choices"]![0]![op] = input["Value"]?.DeepClone();
            }

            var expected = cases[i]!["output"]!["TestResult.$"]!.GetValue<string>();
            var actual = await RunAsync(definition, input);
            if (actual != expected)
            {
                mismatches.Add($"{input.ToJsonString()}: recorded {expected}, sandbox {actual}");
            }
        }

        Assert.True(compared > 0, $"{test}: none of its {cases.Count} recorded cases was compared");
        Assert.True(mismatches.Count == 0, $"{op}:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public void Every_recorded_case_is_compared_and_the_64_placeholder_timestamps_are_filled_as_the_recordings_test_did()
    {
        var recordings = Directory.GetFiles(Path.Combine(RecordedExecutions.Root, "choice_operators"), "*.snapshot.json")
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject())
            .Select(p => (Test: p.Key[(p.Key.LastIndexOf("::", StringComparison.Ordinal) + 2)..], Cases: p.Value!["recorded-content"]!["cases"]!.AsArray()))
            .ToList();
        var inputs = recordings.SelectMany(r => r.Cases.Select((c, i) => (Recorded: c!["input"]!.AsObject(), Filled: RecordedInput(r.Test, i, c!["input"]!.AsObject())))).ToList();

        Assert.Equal(491, inputs.Count);
        Assert.Equal(64, inputs.Count(c => HasPlaceholder(c.Recorded)));
        Assert.DoesNotContain(inputs, c => HasPlaceholder(c.Filled));
    }

    /// <summary>
    /// The recorded input, with the timestamps the recording replaced by "date" put back: the recording's test
    /// (LocalStack's choice_operators tests) ran its cases in the order of a fixed list (TYPE_COMPARISONS for most
    /// operators, the timestamp pairs for the Timestamp* ones), so case i had that list's i-th values. Recorded values
    /// that were kept must agree with the list, or the list is wrong.
    /// </summary>
    private static JsonObject RecordedInput(string test, int index, JsonObject recorded)
    {
        if (!HasPlaceholder(recorded))
        {
            return recorded;
        }

        var list = test.StartsWith("test_timestamp_", StringComparison.Ordinal) ? TimestampComparisons(test) : TypeComparisons;
        Assert.True(index < list.Count, $"{test}: case {index} is beyond the test's {list.Count} comparisons");
        var filled = new JsonObject();
        foreach (var (key, value) in recorded)
        {
            var fromTest = key == "Variable" ? list[index].Variable : list[index].Value;
            if (!IsPlaceholder(value))
            {
                Assert.True(JsonNode.DeepEquals(value, fromTest), $"{test} case {index}: recorded {key} {value?.ToJsonString()} but the test's list has {fromTest?.ToJsonString()}");
            }

            filled[key] = fromTest?.DeepClone();
        }

        return filled;
    }

    private const string T0 = "2012-10-09T19:00:55Z";
    private const string T1 = "2012-10-09T19:00:56Z";

    private static readonly List<(JsonNode? Variable, JsonNode? Value)> BaseTimestampComparisons = [(T0, T0), (T0, T1), (T1, T0)];

    private static List<(JsonNode? Variable, JsonNode? Value)> TimestampComparisons(string test) => test switch
    {
        "test_timestamp_equals" => [.. new JsonNode?[] { null, 0, 0.0, 1, 1.1, "", " ", "2023-02-24 12:15:56.832957", new JsonArray(), new JsonArray(""), new JsonObject(), new JsonObject { ["A"] = 0 }, false, true }.Select(v => (v, (JsonNode?)T0)), .. BaseTimestampComparisons],
        "test_timestamp_greater_than_path" or "test_timestamp_greater_than_equals_path" => [(T0, T1)],
        "test_timestamp_less_than_path" or "test_timestamp_less_than_equals_path" => [(T1, T0)],
        _ => BaseTimestampComparisons,
    };

    private static readonly List<(JsonNode? Variable, JsonNode? Value)> TypeComparisons =
    [
        .. new JsonNode?[] { null, 0, 0.0, 1, 1.1, "", " ", "HelloWorld", "2012-10-09T19:00:55", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55+01:00", "2023-02-24", new JsonArray(), new JsonArray(""), new JsonObject(), new JsonObject { ["A"] = 0 } }
            .SelectMany(v => new[] { (v, (JsonNode?)true), (v?.DeepClone(), (JsonNode?)false) }),
        (true, true), (false, true), (false, true), (false, false),
    ];

    private static bool HasPlaceholder(JsonObject input) => input.Any(p => IsPlaceholder(p.Value));

    private static bool IsPlaceholder(JsonNode? value) => value is JsonValue v && v.ToJsonString() == "\"date\"";

    private static async Task<string> RunAsync(JsonObject definition, JsonObject input)
    {
        var tokens = new TaskTokens();
        var time = TimeProvider.System;
        var interpreter = new Interpreter([new CannedResponses(tokens)], tokens, time, new Random(1));
        var execution = new ExecutionInfo("arn:aws:states:us-east-1:000000000000:execution:c:e", "e", "arn:aws:states:us-east-1:000000000000:stateMachine:c", "c", "arn:aws:iam::000000000000:role/r", time.GetUtcNow(), "us-east-1", "000000000000", input, 0);
        var outcome = await interpreter.RunAsync(StateMachineDefinition.Parse(definition), execution, new History(time), new Cursor(0), null, input.DeepClone(), true, CancellationToken.None);
        return outcome.Succeeded ? outcome.Output!["TestResult.$"]!.GetValue<string>() : $"{outcome.Error}: {outcome.Cause}";
    }
}
