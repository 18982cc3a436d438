namespace BatchOps.Dashboard.ReadModel;

/// <summary>What ECS said about a stopped task, whichever way it reached us (DescribeTasks, or a runTask.sync cause).</summary>
public sealed record StoppedTaskFacts(string? StopCode, string? StoppedReason, int? ExitCode, string? ContainerReason);

public sealed record StopClassification(StopReasonClass Class, bool Retryable);

/// <summary>
/// Classifies why an ECS task stopped, with the same rules the batch-job workflow retries by
/// (src/Infrastructure/Workflows/BatchJobDefinition.cs): image pull, resource initialization, capacity and Spot
/// interruptions are transient; exit 2 (retryable) and 143 (SIGTERM) are the worker's retryable codes.
/// </summary>
public static class StopReasonClassifier
{
    public static StopClassification Classify(StoppedTaskFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var reason = facts.StoppedReason ?? "";
        var containerReason = facts.ContainerReason ?? "";

        if (reason.Contains("CannotPullContainerError", StringComparison.OrdinalIgnoreCase) || containerReason.Contains("CannotPullContainerError", StringComparison.OrdinalIgnoreCase))
        {
            return new(StopReasonClass.ImagePull, true);
        }

        if (reason.Contains("ResourceInitializationError", StringComparison.OrdinalIgnoreCase))
        {
            return new(StopReasonClass.ResourceInitialization, true);
        }

        if (reason.Contains("Capacity is unavailable", StringComparison.OrdinalIgnoreCase))
        {
            return new(StopReasonClass.Capacity, true);
        }

        if (containerReason.Contains("OutOfMemoryError", StringComparison.OrdinalIgnoreCase) || reason.Contains("OutOfMemory", StringComparison.OrdinalIgnoreCase))
        {
            return new(StopReasonClass.OutOfMemory, false);
        }

        switch (facts.StopCode)
        {
            case "SpotInterruption" or "TerminationNotice" or "ServiceSchedulerInitiated":
                return new(StopReasonClass.UserOrServiceStop, true);
            case "UserInitiated":
                return new(StopReasonClass.UserOrServiceStop, false);
            case "TaskFailedToStart":
                return new(StopReasonClass.PlatformError, true);
        }

        return facts.ExitCode switch
        {
            0 => new(StopReasonClass.Succeeded, false),
            2 or 143 => new(StopReasonClass.ApplicationExit, true),
            137 => new(StopReasonClass.OutOfMemory, false),
            not null => new(StopReasonClass.ApplicationExit, false),
            null when facts.StopCode is not null => new(StopReasonClass.PlatformError, true),
            null => new(StopReasonClass.Other, false),
        };
    }

    /// <summary>Errors the worker reports through a task token (waitForTaskToken), where no ECS task JSON is in the cause.</summary>
    public static StopClassification? ClassifyTaskError(string? error) => error switch
    {
        "BatchOps.Retryable" => new(StopReasonClass.ApplicationExit, true),
        "BatchOps.Fatal" or "BatchOps.Usage" or "BatchOps.OutputTooLarge" => new(StopReasonClass.ApplicationExit, false),
        "BatchOps.Interrupted" => new(StopReasonClass.UserOrServiceStop, true),
        null => null,
        _ => new(StopReasonClass.Other, false),
    };

    /// <summary>One sentence an on-call engineer can act on.</summary>
    public static string Explain(StopReasonClass reasonClass) => reasonClass switch
    {
        StopReasonClass.Succeeded => "The job finished and its container exited with code 0.",
        StopReasonClass.ImagePull => "ECS could not pull the container image: a wrong tag, a missing repository permission or no route to the registry. Usually transient when the registry throttles; retried.",
        StopReasonClass.ResourceInitialization => "Fargate could not prepare the task (secrets, log group, network interface or volume). Often transient; retried. If it repeats, check the execution role and the secrets it reads.",
        StopReasonClass.Capacity => "No Fargate capacity was available in the subnets' availability zones. Transient; retried with backoff.",
        StopReasonClass.OutOfMemory => "The container used more memory than the task has and was killed (exit 137). Not retried: raise the task's memory or fix the job.",
        StopReasonClass.ApplicationExit => "The job itself exited with a failure code. Exit 2 (transient) and 143 (stopped by SIGTERM) are retried; exit 1 and others are not: read the task's logs.",
        StopReasonClass.UserOrServiceStop => "Someone stopped the task or execution, or ECS stopped it (Spot interruption, scale-in). Service stops are retried; user stops are not.",
        StopReasonClass.PlatformError => "ECS or Fargate failed the task for a reason of its own. Usually transient; retried.",
        _ => "The state failed without an ECS stop reason (a timeout, a callback error or another integration).",
    };

    public static string Label(StopReasonClass reasonClass) => reasonClass switch
    {
        StopReasonClass.ImagePull => "Image pull",
        StopReasonClass.ResourceInitialization => "Resource initialization",
        StopReasonClass.OutOfMemory => "Out of memory",
        StopReasonClass.ApplicationExit => "Application exit",
        StopReasonClass.UserOrServiceStop => "User or service stop",
        StopReasonClass.PlatformError => "Platform error",
        _ => reasonClass.ToString(),
    };
}
