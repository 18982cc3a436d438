using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Executions.Detail;

/// <summary>Another execution this one is linked to (re-run, parent, child), as a link shows it.</summary>
public sealed record LinkedExecution(string Arn, string Name, string Workflow, string Status, DateTimeOffset StartDate);

/// <summary>The summary card: what the execution is, how it ended, and where it came from.</summary>
public sealed record ExecutionSummaryModel(
    string Arn,
    string Name,
    string Workflow,
    string Status,
    DateTimeOffset StartDate,
    DateTimeOffset? StopDate,
    int RedriveCount,
    DateTimeOffset? RedriveDate,
    string? RedriveStatus,
    int EcsTaskCount,
    int TaskAttemptCount,
    string? Error,
    string? Cause,
    LinkedExecution? RerunOf,
    LinkedExecution? Parent,
    DateTimeOffset? HistoryFetchedAt,
    string? ConsoleUrl,
    string? RedriveStatusReason = null,
    string? FailStateReached = null)
{
    /// <summary>
    /// AWS would redrive it (failed, timed out or aborted, within 14 days, definition unchanged) and a redrive would do
    /// something: one that ended in a Fail state would enter that state again and fail the same way.
    /// </summary>
    public bool Redrivable => RedriveStatus == ExecutionRedriveStatus.REDRIVABLE && Status is ExecutionStatus.FAILED or ExecutionStatus.TIMED_OUT or ExecutionStatus.ABORTED && FailStateReached is null;

    /// <summary>Why the redrive button is disabled, in AWS's words when AWS gave them.</summary>
    public string WhyNotRedrivable => Status switch
    {
        ExecutionStatus.RUNNING => "Running: it can be redriven once it has failed, timed out or been stopped.",
        ExecutionStatus.SUCCEEDED => "It succeeded: there is nothing to redrive.",
        _ when RedriveStatus == ExecutionRedriveStatus.REDRIVABLE && FailStateReached is { } state => Operations.FailStateCheck.Message("It", state),
        _ => RedriveStatusReason ?? (RedriveStatus is null ? "AWS has not said yet whether it can be redriven (its history is being fetched)." : "AWS says it cannot be redriven."),
    };
}

public enum TimelineItemKind
{
    Attempt,
    Redrive,
    Rerun,
}

/// <summary>
/// One line of the retry history: an attempt of a task state (with its ECS task's stop code, stopped reason and exit
/// code, and the wait before the next attempt), a redrive, or a re-run started from this execution.
/// </summary>
/// <summary>How much of a large execution the page renders at once.</summary>
public static class ExecutionDetailLimits
{
    /// <summary>Above this many retry-history entries or ECS tasks, the lists render only what is on screen (a fan-out runs thousands).</summary>
    public const int VirtualizeAbove = 100;
}

public sealed record TimelineItem(
    TimelineItemKind Kind,
    DateTimeOffset At,
    string? StateName = null,
    int? Attempt = null,
    int RedriveCount = 0,
    TaskRunOutcome? Outcome = null,
    TimeSpan? Duration = null,
    string? Resource = null,
    string? StopCode = null,
    int? ExitCode = null,
    string? StoppedReason = null,
    string? Error = null,
    string? Cause = null,
    StopReasonClass? ReasonClass = null,
    bool? Retryable = null,
    LinkedExecution? Execution = null,
    TimeSpan? DelayBeforeNext = null);

/// <summary>One ECS task the execution ran, with why it stopped and where its logs are.</summary>
public sealed record EcsTaskModel(
    string StateName,
    int Attempt,
    string TaskArn,
    TaskRunOutcome Outcome,
    string? StopCode,
    int? ExitCode,
    string? StoppedReason,
    StopReasonClass? ReasonClass,
    bool? Retryable,
    string LogsUrl,
    bool LogsInSandbox)
{
    public string TaskId => TaskArn[(TaskArn.LastIndexOf('/') + 1)..];
}

/// <summary>One event of the history, reduced to what the table shows.</summary>
public sealed record HistoryEventModel(long Id, DateTimeOffset Timestamp, string Type, string? State, string? Summary);
