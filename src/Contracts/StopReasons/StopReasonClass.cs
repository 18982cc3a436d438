namespace BatchOps.Contracts.StopReasons;

/// <summary>Why an ECS task (or a task state) stopped, in the classes the workflows' retry decisions use.</summary>
public enum StopReasonClass
{
    /// <summary>Essential container exited 0.</summary>
    Succeeded,

    /// <summary>CannotPullContainerError: registry, image tag or network.</summary>
    ImagePull,

    /// <summary>ResourceInitializationError: secrets, log group, ENI or volume set-up.</summary>
    ResourceInitialization,

    /// <summary>No Fargate capacity.</summary>
    Capacity,

    /// <summary>Container killed for using more memory than the task has (exit 137, OutOfMemoryError).</summary>
    OutOfMemory,

    /// <summary>The job exited non-zero; exit 2 and 143 are retryable, others are not.</summary>
    ApplicationExit,

    /// <summary>Stopped by a person (StopTask, StopExecution) or by ECS (Spot interruption, termination notice).</summary>
    UserOrServiceStop,

    /// <summary>ECS or Fargate failed the task for a reason of its own.</summary>
    PlatformError,

    /// <summary>Not an ECS task failure (timeouts, callback errors, other integrations).</summary>
    Other,
}

/// <summary>Which fact of a stopped task a rule looks at.</summary>
public enum StopFact
{
    /// <summary>The task's stoppedReason; the pattern is a Step Functions StringMatches glob ('*' = anything).</summary>
    StoppedReason,

    /// <summary>The essential container's reason; a glob as for <see cref="StoppedReason"/>.</summary>
    ContainerReason,

    /// <summary>The task's stopCode; exact, or '*' for any.</summary>
    StopCode,

    /// <summary>The essential container's exit code; a number, or '*' for any.</summary>
    ExitCode,

    /// <summary>The error name a task state failed with (task-token callbacks and timeouts, no ECS task JSON); exact.</summary>
    TaskError,
}

/// <summary>One row of the classification table: when <see cref="Fact"/> matches <see cref="Pattern"/>, the stop is of <see cref="Class"/>.</summary>
public sealed record StopReasonRule(StopFact Fact, string Pattern, StopReasonClass Class, bool Retryable)
{
    /// <summary>The pattern that matches any value that is present.</summary>
    public const string Any = "*";
}

/// <summary>A classification: the class, and whether the workflows retry it.</summary>
public sealed record StopClassification(StopReasonClass Class, bool Retryable);

/// <summary>What ECS said about a stopped task, whichever way it reached us (DescribeTasks, or a runTask.sync cause).</summary>
public sealed record StoppedTaskFacts(string? StopCode, string? StoppedReason, int? ExitCode, string? ContainerReason);
