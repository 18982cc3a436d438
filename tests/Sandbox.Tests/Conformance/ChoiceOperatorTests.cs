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
        foreach (var recorded in cases)
        {
            var input = recorded!["input"]!.AsObject();
            if (input.Any(p => p.Value is JsonValue v && v.ToJsonString() == "\"date\""))
            {
                // The recording replaced these timestamps with the placeholder "date": the real values are gone.
                continue;
            }

            compared++;
            var definition = JsonNode.Parse(Json5.ToJson(template.Replace("%ComparisonOperatorType%", op, StringComparison.Ordinal)))!.AsObject();
            if (!path)
            {
                // The recording test puts the literal value into the rule; the template's "$.Value" stands for it.
                definition["States"]!["CheckValues"]!["Choices"]![0]![op] = input["Value"]?.DeepClone();
            }

            var expected = recorded["output"]!["TestResult.$"]!.GetValue<string>();
            var actual = await RunAsync(definition, input);
            if (actual != expected)
            {
                mismatches.Add($"{input.ToJsonString()}: recorded {expected}, sandbox {actual}");
            }
        }

        Assert.True(compared > 0 || cases.Count > 0, "no cases recorded");
        Assert.True(mismatches.Count == 0, $"{op}:\n" + string.Join('\n', mismatches));
    }

    private static async Task<string> RunAsync(JsonObject definition, JsonObject input)
    {
        var tokens = new TaskTokens();
        var time = TimeProvider.System;
        var interpreter = new Interpreter([new CannedResponses(tokens)], tokens, time, new Random(1));
        var execution = new ExecutionInfo("arn:aws:states:us-east-1:000000000000:execution:c:e", "e", "arn:aws:states:us-east-1:000000000000:stateMachine:c", "c", "arn:aws:iam::000000000000:role/r", time.GetUtcNow(), "us-east-1", "000000000000", input, 0);
        var outcome = await interpreter.RunAsync(definition, execution, new History(time), new Cursor(0), null, input.DeepClone(), true, CancellationToken.None);
        return outcome.Succeeded ? outcome.Output!["TestResult.$"]!.GetValue<string>() : $"{outcome.Error}: {outcome.Cause}";
    }
}
