using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Tests.ReadModel;

/// <summary>Change notices reach the pages they can affect, and only those.</summary>
public sealed class ReadModelChangesTests
{
    [Fact]
    public void A_page_filtered_to_one_workflow_hears_of_changes_to_it_and_of_changes_to_unknown_workflows_only()
    {
        var changes = new ReadModelChanges();
        var batchJob = 0;
        var everything = 0;
        using var filtered = changes.Subscribe(ReadModelChangeKind.Executions, () => batchJob++, workflows => workflows.Contains("batch-job"));
        using var unfiltered = changes.Subscribe(ReadModelChangeKind.Executions, () => everything++);

        changes.Publish(ReadModelChangeKind.Executions, ["nightly-batch", "orchestrator"]);
        Assert.Equal((0, 1), (batchJob, everything));

        changes.Publish(ReadModelChangeKind.Executions, ["nightly-batch", "batch-job"]);
        Assert.Equal((1, 2), (batchJob, everything));

        // A publisher that cannot say which workflows changed reaches every page.
        changes.Publish(ReadModelChangeKind.Executions);
        Assert.Equal((2, 3), (batchJob, everything));

        changes.Publish(ReadModelChangeKind.StoppedTasks, ["batch-job"]);
        Assert.Equal((2, 3), (batchJob, everything));
    }
}
