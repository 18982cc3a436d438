using System.Text.Json.Nodes;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>
/// nightly-batch: two batch-job children and one direct task in parallel, each caught so one failure does
/// not cancel the others; a Choice lets the final job run only when all three succeeded.
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
                    Branch("Export A", Asl.RunBatchJob("export-a", $"States.Array('report', '--date', {Asl.ExecutionDate})", next: "Export A done")),
                    Branch("Export B", Asl.RunBatchJob("export-b", "States.Array('echo', 'export B')", next: "Export B done")),
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
                        ["Next"] = "Direct report done",
                    })),
                ["ResultPath"] = "$.branches",
                ["Next"] = "All succeeded?",
            },
            ["All succeeded?"] = new JsonObject
            {
                ["Type"] = "Choice",
                ["Choices"] = new JsonArray(new JsonObject
                {
                    ["And"] = new JsonArray(
                        new JsonObject { ["Variable"] = "$.branches[0].ok", ["BooleanEquals"] = true },
                        new JsonObject { ["Variable"] = "$.branches[1].ok", ["BooleanEquals"] = true },
                        new JsonObject { ["Variable"] = "$.branches[2].ok", ["BooleanEquals"] = true }),
                    ["Next"] = "Final job",
                }),
                ["Default"] = "Nightly failed",
            },
            ["Final job"] = Asl.RunBatchJob("final", "$.commands", next: null),
            ["Nightly failed"] = new JsonObject { ["Type"] = "Fail", ["Error"] = "BatchOps.NightlyBranchFailed", ["Cause"] = "At least one nightly branch failed; see the branch results." },
        },
    };

    /// <summary>A branch that always ends with {"ok": true|false, "error": ...} so the Choice can decide.</summary>
    private static JsonObject Branch(string name, JsonObject work)
    {
        work["Catch"] = new JsonArray(new JsonObject { ["ErrorEquals"] = new JsonArray("States.ALL"), ["ResultPath"] = "$.error", ["Next"] = name + " failed" });
        return new JsonObject
        {
            ["StartAt"] = name,
            ["States"] = new JsonObject
            {
                [name] = work,
                [name + " done"] = new JsonObject { ["Type"] = "Pass", ["Parameters"] = new JsonObject { ["ok"] = true }, ["End"] = true },
                [name + " failed"] = new JsonObject { ["Type"] = "Pass", ["Parameters"] = new JsonObject { ["ok"] = false, ["error.$"] = "$.error" }, ["End"] = true },
            },
        };
    }
}
