using BatchOps.Contracts.StopReasons;

namespace BatchOps.Contracts.Tests;

/// <summary>Stopped reasons as ECS words them (the recorded ones, and those in the ECS documentation).</summary>
public sealed class StopReasonClassifierTests
{
    [Theory]
    [InlineData("TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/library/no_such_image:latest", null, null, StopReasonClass.ImagePull, true)]
    [InlineData("TaskFailedToStart", "Task failed to start", null, "CannotPullContainerError: ref pull has been retried 5 time(s)", StopReasonClass.ImagePull, true)]
    [InlineData("TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed", null, null, StopReasonClass.ResourceInitialization, true)]
    [InlineData(null, "Capacity is unavailable at this time. Please try again later or in a different availability zone", null, null, StopReasonClass.Capacity, true)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 137, "OutOfMemoryError: Container killed due to memory usage", StopReasonClass.OutOfMemory, false)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 137, null, StopReasonClass.OutOfMemory, false)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 2, null, StopReasonClass.ApplicationExit, true)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 143, null, StopReasonClass.ApplicationExit, true)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 1, null, StopReasonClass.ApplicationExit, false)]
    [InlineData("EssentialContainerExited", "Essential container in task exited", 0, null, StopReasonClass.Succeeded, false)]
    [InlineData("SpotInterruption", "Your Spot Task was interrupted.", 143, null, StopReasonClass.UserOrServiceStop, true)]
    [InlineData("TerminationNotice", "Task stopped due to a termination notice", 143, null, StopReasonClass.UserOrServiceStop, true)]
    [InlineData("ServiceSchedulerInitiated", "Scaling activity initiated by deployment", 143, null, StopReasonClass.UserOrServiceStop, false)]
    [InlineData("UserInitiated", "Task stopped by user", 143, null, StopReasonClass.UserOrServiceStop, false)]
    [InlineData("TaskFailedToStart", "Timeout waiting for network interface provisioning to complete.", null, null, StopReasonClass.PlatformError, false)]
    [InlineData(null, null, null, null, StopReasonClass.Other, false)]
    public void Classifies_as_the_table_says_with_the_first_matching_rule(string? stopCode, string? reason, int? exitCode, string? containerReason, StopReasonClass expected, bool retryable)
    {
        var result = StopReasonClassifier.Classify(new StoppedTaskFacts(stopCode, reason, exitCode, containerReason));

        Assert.Equal(new StopClassification(expected, retryable), result);
    }

    [Theory]
    [InlineData(WorkerErrorNames.Retryable, StopReasonClass.ApplicationExit, true)]
    [InlineData(WorkerErrorNames.Fatal, StopReasonClass.ApplicationExit, false)]
    [InlineData(WorkerErrorNames.Usage, StopReasonClass.ApplicationExit, false)]
    [InlineData(WorkerErrorNames.Interrupted, StopReasonClass.UserOrServiceStop, true)]
    [InlineData("States.Timeout", StopReasonClass.Other, true)]
    [InlineData("States.HeartbeatTimeout", StopReasonClass.Other, true)]
    [InlineData("Lambda.Unknown", StopReasonClass.Other, false)]
    public void Classifies_the_errors_a_task_state_fails_with_when_there_is_no_ecs_task(string error, StopReasonClass expected, bool retryable)
    {
        Assert.Equal(new StopClassification(expected, retryable), StopReasonClassifier.ClassifyTaskError(error));
    }

    [Fact]
    public void No_error_is_no_classification() => Assert.Null(StopReasonClassifier.ClassifyTaskError(null));

    [Theory]
    [InlineData("CannotPullContainerError*", "CannotPullContainerError: x", true)]
    [InlineData("CannotPullContainerError*", "cannotpullcontainererror: x", false)]
    [InlineData("*Capacity is unavailable*", "Capacity is unavailable", true)]
    [InlineData("*Capacity is unavailable*", "The Capacity is unavailable now", true)]
    [InlineData("*Capacity*unavailable*", "Capacity unavailable", true)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Patterns_match_like_the_choice_states_string_matches(string pattern, string text, bool expected) =>
        Assert.Equal(expected, StopReasonClassifier.Glob(pattern, text));

    [Fact]
    public void Every_class_has_a_label_and_a_plain_language_explanation()
    {
        foreach (var reasonClass in Enum.GetValues<StopReasonClass>())
        {
            Assert.False(string.IsNullOrWhiteSpace(StopReasonTable.Label(reasonClass)));
            Assert.EndsWith(".", StopReasonTable.Explain(reasonClass), StringComparison.Ordinal);
        }

        Assert.Equal(Enum.GetValues<StopReasonClass>().Length, Enum.GetValues<StopReasonClass>().Select(StopReasonTable.Explain).Distinct().Count());
    }

    [Fact]
    public void Every_task_rule_is_reachable_because_no_earlier_rule_shadows_it()
    {
        var rules = StopReasonTable.TaskRules;
        for (var i = 0; i < rules.Count; i++)
        {
            var sample = Sample(rules[i]);
            var first = rules.First(r => StopReasonClassifier.Matches(r, sample));
            Assert.Same(rules[i], first);
        }
    }

    private static StoppedTaskFacts Sample(StopReasonRule rule) => rule.Fact switch
    {
        StopFact.StoppedReason => new(null, rule.Pattern.Replace("*", " x ", StringComparison.Ordinal), null, null),
        StopFact.ContainerReason => new(null, null, null, rule.Pattern.Replace("*", " x ", StringComparison.Ordinal)),
        StopFact.StopCode => new(rule.Pattern == StopReasonRule.Any ? "SomethingNew" : rule.Pattern, null, null, null),
        StopFact.ExitCode => new(null, null, rule.Pattern == StopReasonRule.Any ? 99 : int.Parse(rule.Pattern, System.Globalization.CultureInfo.InvariantCulture), null),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };
}
