using System.Collections.Frozen;

namespace BatchOps.Contracts.StopReasons;

/// <summary>
/// The one classification table. The CDK app generates the batch-job workflow's retry choice and the callback-job's
/// Retry from it, and the dashboard classifies with it, so the page says "retryable" exactly when the workflow retries.
/// Rules are tried in order and the first match wins (a Choice state's semantics), which is why a user's stop comes
/// before the exit code its SIGTERM produced.
/// </summary>
public static class StopReasonTable
{
    /// <summary>Rules for a stopped ECS task (DescribeTasks, or the cause of a failed runTask.sync), in order.</summary>
    public static IReadOnlyList<StopReasonRule> TaskRules { get; } =
    [
        new(StopFact.StoppedReason, "CannotPullContainerError*", StopReasonClass.ImagePull, Retryable: true),
        new(StopFact.ContainerReason, "CannotPullContainerError*", StopReasonClass.ImagePull, Retryable: true),
        new(StopFact.StoppedReason, "ResourceInitializationError*", StopReasonClass.ResourceInitialization, Retryable: true),
        new(StopFact.StoppedReason, "*Capacity is unavailable*", StopReasonClass.Capacity, Retryable: true),
        new(StopFact.ContainerReason, "OutOfMemoryError*", StopReasonClass.OutOfMemory, Retryable: false),
        new(StopFact.StoppedReason, "*OutOfMemory*", StopReasonClass.OutOfMemory, Retryable: false),
        new(StopFact.StopCode, "SpotInterruption", StopReasonClass.UserOrServiceStop, Retryable: true),
        new(StopFact.StopCode, "TerminationNotice", StopReasonClass.UserOrServiceStop, Retryable: true),
        new(StopFact.StopCode, "ServiceSchedulerInitiated", StopReasonClass.UserOrServiceStop, Retryable: false),
        new(StopFact.StopCode, "UserInitiated", StopReasonClass.UserOrServiceStop, Retryable: false),
        new(StopFact.ExitCode, "0", StopReasonClass.Succeeded, Retryable: false),
        new(StopFact.ExitCode, "2", StopReasonClass.ApplicationExit, Retryable: true),
        new(StopFact.ExitCode, "143", StopReasonClass.ApplicationExit, Retryable: true),
        new(StopFact.ExitCode, "137", StopReasonClass.OutOfMemory, Retryable: false),
        new(StopFact.ExitCode, StopReasonRule.Any, StopReasonClass.ApplicationExit, Retryable: false),
        new(StopFact.StopCode, StopReasonRule.Any, StopReasonClass.PlatformError, Retryable: false),
    ];

    /// <summary>Rules for a task state's error name where no ECS task JSON is at hand (task-token reports, timeouts).</summary>
    public static IReadOnlyList<StopReasonRule> ErrorRules { get; } =
    [
        new(StopFact.TaskError, WorkerErrorNames.Retryable, StopReasonClass.ApplicationExit, Retryable: true),
        new(StopFact.TaskError, WorkerErrorNames.Interrupted, StopReasonClass.UserOrServiceStop, Retryable: true),
        new(StopFact.TaskError, WorkerErrorNames.Fatal, StopReasonClass.ApplicationExit, Retryable: false),
        new(StopFact.TaskError, WorkerErrorNames.Usage, StopReasonClass.ApplicationExit, Retryable: false),
        new(StopFact.TaskError, WorkerErrorNames.OutputTooLarge, StopReasonClass.ApplicationExit, Retryable: false),
        // A callback job whose worker died stops heart-beating; AWS reports that as States.Timeout.
        new(StopFact.TaskError, "States.HeartbeatTimeout", StopReasonClass.Other, Retryable: true),
        new(StopFact.TaskError, "States.Timeout", StopReasonClass.Other, Retryable: true),
    ];

    /// <summary>When nothing matches: not an ECS stop the table knows, and not retried.</summary>
    public static StopClassification Unmatched { get; } = new(StopReasonClass.Other, false);

    private static readonly FrozenDictionary<StopReasonClass, (string Label, string Explanation)> Descriptions = new Dictionary<StopReasonClass, (string, string)>
    {
        [StopReasonClass.Succeeded] = ("Succeeded", "The job finished and its container exited with code 0."),
        [StopReasonClass.ImagePull] = ("Image pull", "ECS could not pull the container image: a wrong tag, a missing repository permission or no route to the registry. Usually transient when the registry throttles; retried."),
        [StopReasonClass.ResourceInitialization] = ("Resource initialization", "Fargate could not prepare the task (secrets, log group, network interface or volume). Often transient; retried. If it repeats, check the execution role and the secrets it reads."),
        [StopReasonClass.Capacity] = ("Capacity", "No Fargate capacity was available in the subnets' availability zones. Transient; retried with backoff."),
        [StopReasonClass.OutOfMemory] = ("Out of memory", "The container used more memory than the task has and was killed (exit 137). Not retried: raise the task's memory or fix the job."),
        [StopReasonClass.ApplicationExit] = ("Application exit", "The job itself exited with a failure code. Exit 2 (transient) and 143 (stopped by SIGTERM) are retried; exit 1 and others are not: read the task's logs."),
        [StopReasonClass.UserOrServiceStop] = ("User or service stop", "Someone stopped the task or execution, or ECS stopped it (Spot interruption, termination notice). ECS's stops are retried; a person's stop is not."),
        [StopReasonClass.PlatformError] = ("Platform error", "ECS or Fargate failed the task for a reason this table does not know (for example TaskFailedToStart with a new reason). Not retried: read the stopped reason, then redrive."),
        [StopReasonClass.Other] = ("Other", "The state failed without an ECS stop reason (a timeout, a callback error or another integration)."),
    }.ToFrozenDictionary();

    public static string Label(StopReasonClass reasonClass) => Descriptions[reasonClass].Label;

    /// <summary>One sentence an on-call engineer can act on.</summary>
    public static string Explain(StopReasonClass reasonClass) => Descriptions[reasonClass].Explanation;
}
