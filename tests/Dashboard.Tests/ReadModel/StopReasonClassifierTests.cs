using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Tests.ReadModel;

/// <summary>Stopped reasons as ECS words them (the recorded ones, and those in the ECS documentation).</summary>
public sealed class StopReasonClassifierTests
{
    [Theory]
    [InlineData("TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/library/no_such_image:latest", null, null, StopReasonClass.ImagePull, true)]
    [InlineData("TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed", null, null, StopReasonClass.ResourceInitialization, true)]
    [InlineData(null, "Capacity is unavailable at this time. Please try again later or in a different availability zone", null, null, StopReasonClass.Capacity, true)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 137, "OutOfMemoryError: Container killed due to memory usage", StopReasonClass.OutOfMemory, false)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 137, null, StopReasonClass.OutOfMemory, false)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 2, null, StopReasonClass.ApplicationExit, true)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 143, null, StopReasonClass.ApplicationExit, true)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 1, null, StopReasonClass.ApplicationExit, false)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 0, null, StopReasonClass.Succeeded, false)]
    [InlineData("SpotInterruption", "Your Spot Task was interrupted.", 143, null, StopReasonClass.UserOrServiceStop, true)]
    [InlineData("ServiceSchedulerInitiated", "Scaling activity initiated by deployment", 143, null, StopReasonClass.UserOrServiceStop, true)]
    [InlineData("UserInitiated", "Task stopped by user", 143, null, StopReasonClass.UserOrServiceStop, false)]
    [InlineData("TaskFailedToStart", "Timeout waiting for network interface provisioning to complete.", null, null, StopReasonClass.PlatformError, true)]
    [InlineData(null, null, null, null, StopReasonClass.Other, false)]
    public void Classifies_like_the_workflows_retry_decision(string? stopCode, string? reason, int? exitCode, string? containerReason, StopReasonClass expected, bool retryable)
    {
        var result = StopReasonClassifier.Classify(new StoppedTaskFacts(stopCode, reason, exitCode, containerReason));

        Assert.Equal(new StopClassification(expected, retryable), result);
    }

    [Theory]
    [InlineData("BatchOps.Retryable", StopReasonClass.ApplicationExit, true)]
    [InlineData("BatchOps.Fatal", StopReasonClass.ApplicationExit, false)]
    [InlineData("BatchOps.Interrupted", StopReasonClass.UserOrServiceStop, true)]
    [InlineData("States.HeartbeatTimeout", StopReasonClass.Other, false)]
    public void Classifies_the_errors_the_worker_reports_through_a_task_token(string error, StopReasonClass expected, bool retryable)
    {
        Assert.Equal(new StopClassification(expected, retryable), StopReasonClassifier.ClassifyTaskError(error));
    }

    [Fact]
    public void Every_class_has_a_label_and_a_plain_language_explanation()
    {
        foreach (var reasonClass in Enum.GetValues<StopReasonClass>())
        {
            Assert.False(string.IsNullOrWhiteSpace(StopReasonClassifier.Label(reasonClass)));
            Assert.EndsWith(".", StopReasonClassifier.Explain(reasonClass), StringComparison.Ordinal);
        }

        Assert.NotEqual(StopReasonClassifier.Explain(StopReasonClass.ImagePull), StopReasonClassifier.Explain(StopReasonClass.Other));
    }
}
