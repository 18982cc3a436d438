namespace BatchOps.Dashboard.ReadModel;

/// <summary>Why an ECS task stopped, in the classes the workflows' retry decisions use (ARCHITECTURE.md).</summary>
public enum StopReasonClass
{
    /// <summary>Essential container exited 0.</summary>
    Succeeded,

    /// <summary>CannotPullContainerError: registry, image tag or network.</summary>
    ImagePull,

    /// <summary>ResourceInitializationError: secrets, log group, ENI or volume set-up.</summary>
    ResourceInitialization,

    /// <summary>No Fargate capacity (RunTask failure or TaskFailedToStart).</summary>
    Capacity,

    /// <summary>Container killed for using more memory than the task has (exit 137, OutOfMemoryError).</summary>
    OutOfMemory,

    /// <summary>The job exited non-zero; exit 2 and 143 are retryable, others are not.</summary>
    ApplicationExit,

    /// <summary>Stopped by a person (StopTask, StopExecution) or by ECS (scale-in, Spot interruption).</summary>
    UserOrServiceStop,

    /// <summary>Fargate or ECS failed the task for a reason of its own.</summary>
    PlatformError,

    /// <summary>Not an ECS task failure (timeouts, callback errors, other integrations).</summary>
    Other,
}
