using System.Text.Json.Nodes;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>
/// nightly-batch: two batch-job children and one direct task in parallel, then the final job once all three succeeded.
/// A branch's failure is not caught: it fails the Parallel state (and so the execution) at the task that failed, which
/// is what makes a redrive useful. Redrive reruns only the branches that failed or were cancelled, from their failed
/// task, and keeps the results of the ones that succeeded. (Catching each branch and failing later from a Fail state
/// would leave a redrive nothing to do but reach the same Fail state again.)
/// </summary>
public static class NightlyBatchDefinition
{
    public static JsonObject Build() => new()
    {
        ["Comment"] = "Nightly: exports A and B (batch-job children) and a direct report in parallel, then the final job.",
        ["StartAt"] = "Resume?",
        ["States"] = new JsonObject
        {
            ["Resume?"] = Asl.ResumeRouter("Run in parallel", "Final job"),
            ["Run in parallel"] = new JsonObject
            {
                ["Type"] = "Parallel",
                ["Branches"] = new JsonArray(
                    Branch("Export A", Asl.RunBatchJob("export-a", $"States.Array('report', '--date', {Asl.ExecutionDate})", next: null)),
                    Branch("Export B", Asl.RunBatchJob("export-b", "States.Array('echo', 'export B')", next: null)),
                    Branch("Direct report", new JsonObject
                    {
                        ["Type"] = "Task",
                        ["Resource"] = "arn:aws:states:::ecs:runTask.sync",
                        ["Parameters"] = Asl.RunWorker(new JsonObject
                        {
                            ["Name"] = "worker",
                            ["Command.$"] = $"States.Array('report', '--date', {Asl.ExecutionDate})",
                            ["Environment.$"] = "$.environment",
                        }),
                        ["ResultPath"] = null,
                        ["End"] = true,
                    })),
                // The final job runs with the execution's own input; the branches' results stay in the history.
                ["ResultPath"] = null,
                ["Next"] = "Final job",
            },
            ["Final job"] = Asl.RunBatchJob("final", "$.commands", next: null),
        },
    };

    private static JsonObject Branch(string name, JsonObject work) => new()
    {
        ["StartAt"] = name,
        ["States"] = new JsonObject { [name] = work },
    };
}
