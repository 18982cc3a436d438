using System.Text.Json.Nodes;
using BatchOps.Contracts.StopReasons;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>
/// The workflows' retry decisions, as synthesized into the checked-in template and evaluated by the ASL interpreter,
/// agree with the contract's classification table the dashboard uses, for every combination of the facts the table
/// names (so a reordered rule, a changed pattern or a hand edit of the ASL fails here).
/// </summary>
public sealed class StopReasonTableTests : IAsyncLifetime
{
    private const int MaxAttempts = 3;
    private SandboxServer _server = null!;
    private Dictionary<string, JsonObject> _definitions = null!;

    public async Task InitializeAsync()
    {
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0");
        var deployed = _server.Deploy(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "src", "Infrastructure", "synth", "BatchOps.template.json")));
        _definitions = deployed.Created.Values.Where(v => v.Contains(":stateMachine:", StringComparison.Ordinal)).ToDictionary(
            v => v[(v.LastIndexOf(':') + 1)..],
            v => JsonNode.Parse(_server.StepFunctions.DescribeStateMachine(new() { StateMachineArn = v }).Definition)!.AsObject());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void Batch_job_retries_exactly_the_stopped_tasks_the_table_calls_retryable()
    {
        var choice = _definitions["batch-job"]["States"]!["Retryable?"]!.AsObject();
        var compared = 0;
        foreach (var facts in Combinations())
        {
            var expected = StopReasonClassifier.Classify(facts).Retryable ? "Back off" : "Notify failure";

            Assert.True(expected == Decide(choice, facts, attempt: 1), $"The workflow and the table disagree on {facts}: table says {expected}.");
            Assert.Equal("Notify failure", Decide(choice, facts, attempt: MaxAttempts));
            compared++;
        }

        Assert.Equal(Combinations().Count(), compared);
        Assert.True(compared > 500, $"only {compared} combinations compared");
    }

    [Fact]
    public void Callback_job_retries_exactly_the_worker_errors_the_table_calls_retryable()
    {
        var retry = _definitions["callback-job"]["States"]!["Run worker"]!["Retry"]!.AsArray().Single()!;
        var retried = retry["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

        foreach (var rule in StopReasonTable.ErrorRules)
        {
            Assert.True(rule.Retryable == retried.Contains(rule.Pattern), $"{rule.Pattern}: table says retryable={rule.Retryable}, callback-job's Retry disagrees.");
        }

        Assert.Subset(StopReasonTable.ErrorRules.Select(r => r.Pattern).ToHashSet(StringComparer.Ordinal), retried);
    }

    /// <summary>Runs the Choice state's rules in order (as the interpreter does) and returns where it goes.</summary>
    private static string Decide(JsonObject choice, StoppedTaskFacts facts, int attempt)
    {
        var container = new JsonObject();
        if (facts.ExitCode is { } exit)
        {
            container["ExitCode"] = exit;
        }

        if (facts.ContainerReason is { } containerReason)
        {
            container["Reason"] = containerReason;
        }

        var stopped = new JsonObject { ["Containers"] = new JsonArray(container) };
        if (facts.StopCode is { } code)
        {
            stopped["StopCode"] = code;
        }

        if (facts.StoppedReason is { } reason)
        {
            stopped["StoppedReason"] = reason;
        }

        // Parsed, as the interpreter only ever sees parsed JSON.
        var input = JsonNode.Parse(new JsonObject { ["attempt"] = attempt, ["stopped"] = stopped }.ToJsonString());
        foreach (var rule in choice["Choices"]!.AsArray())
        {
            if (ChoiceRules.Matches(rule!.AsObject(), new Bindings(input, new JsonObject(), new Variables(), new Random(1))))
            {
                return rule["Next"]!.GetValue<string>();
            }
        }

        return choice["Default"]!.GetValue<string>();
    }

    /// <summary>Every stop code, reason pattern and exit code in the table (plus values it does not name), combined.</summary>
    private static IEnumerable<StoppedTaskFacts> Combinations()
    {
        string Sample(string pattern) => pattern.Replace("*", " sample ", StringComparison.Ordinal);
        var rules = StopReasonTable.TaskRules;
        string?[] reasons = [null, "Essential container in task exited", .. rules.Where(r => r.Fact == StopFact.StoppedReason).Select(r => Sample(r.Pattern))];
        string?[] containerReasons = [null, .. rules.Where(r => r.Fact == StopFact.ContainerReason).Select(r => Sample(r.Pattern))];
        string?[] stopCodes = [null, "EssentialContainerExited", "TaskFailedToStart", .. rules.Where(r => r.Fact == StopFact.StopCode && r.Pattern != StopReasonRule.Any).Select(r => r.Pattern)];
        int?[] exitCodes = [null, 1, 3, 255, .. rules.Where(r => r.Fact == StopFact.ExitCode && r.Pattern != StopReasonRule.Any).Select(r => (int?)int.Parse(r.Pattern, System.Globalization.CultureInfo.InvariantCulture))];
        return from reason in reasons
               from containerReason in containerReasons
               from stopCode in stopCodes
               from exit in exitCodes
               select new StoppedTaskFacts(stopCode, reason, exit, containerReason);
    }
}
