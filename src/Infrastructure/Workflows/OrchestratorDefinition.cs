using System.Text.Json.Nodes;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>orchestrator: batch-job children one after another, each with its own commands; resumable at any step.</summary>
public static class OrchestratorDefinition
{
    public static JsonObject Build() => new()
    {
        ["Comment"] = "Extract, transform and report, in order, each as a batch-job child execution.",
        ["StartAt"] = "Resume?",
        ["States"] = new JsonObject
        {
            ["Resume?"] = Asl.ResumeRouter("Extract", "Extract", "Transform", "Report"),
            ["Extract"] = Asl.RunBatchJob("extract", "States.Array('echo', 'extract')", next: "Transform"),
            ["Transform"] = Asl.RunBatchJob("transform", "States.Array('echo', 'transform')", next: "Report"),
            ["Report"] = Asl.RunBatchJob("report", $"States.Array('report', '--date', {Asl.ExecutionDate})", next: null),
        },
    };
}
