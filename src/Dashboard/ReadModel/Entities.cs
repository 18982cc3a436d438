using BatchOps.Contracts.StopReasons;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>A state machine seen by the sync. The executions list shows every one of them in one list.</summary>
public sealed class StateMachineRecord
{
    public required string Arn { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}

/// <summary>One execution as ListExecutions/DescribeExecution last reported it, plus what its history told us.</summary>
public sealed class ExecutionRecord
{
    public required string Arn { get; set; }
    public required string StateMachineArn { get; set; }
    public required string StateMachineName { get; set; }
    public required string Name { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset StartDate { get; set; }
    public DateTimeOffset? StopDate { get; set; }
    public int RedriveCount { get; set; }
    public DateTimeOffset? RedriveDate { get; set; }

    /// <summary>REDRIVABLE or NOT_REDRIVABLE (DescribeExecution), null until described.</summary>
    public string? RedriveStatus { get; set; }
    public string? Error { get; set; }
    public string? Cause { get; set; }
    public string? Input { get; set; }
    public string? Output { get; set; }

    /// <summary>Reason class of the last failed ECS attempt, for the "stopped-reason class" filter.</summary>
    public StopReasonClass? ReasonClass { get; set; }

    /// <summary>ECS tasks this execution ran, retries included (child executions count their own; SNS and other integrations do not count).</summary>
    public int EcsTaskCount { get; set; }

    /// <summary>Set when the execution was started as a re-run of another (the write side's input marker).</summary>
    public string? RerunOfArn { get; set; }

    /// <summary>Set when the status or redrive count changed (or a running execution's history aged): the history job fetches it.</summary>
    public bool NeedsHistory { get; set; }
    public DateTimeOffset? HistoryFetchedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One attempt of one Task state: an ECS task, a child execution or another integration call.</summary>
public sealed class TaskRunRecord
{
    public long Id { get; set; }
    public required string ExecutionArn { get; set; }
    public required string StateName { get; set; }

    /// <summary>1-based attempt of this state within the execution, counting Retry attempts, retry loops and redrives.</summary>
    public int Attempt { get; set; }

    /// <summary>0 for the original run, n for the run after the n-th redrive.</summary>
    public int RedriveCount { get; set; }
    public required string ResourceType { get; set; }
    public required string Resource { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public required TaskRunOutcome Outcome { get; set; }
    public string? Error { get; set; }
    public string? Cause { get; set; }
    public string? TaskArn { get; set; }
    public string? ClusterArn { get; set; }
    public string? TaskDefinitionArn { get; set; }
    public string? StopCode { get; set; }
    public string? StoppedReason { get; set; }
    public int? ExitCode { get; set; }
    public StopReasonClass? ReasonClass { get; set; }
    public bool? Retryable { get; set; }
    public string? ChildExecutionArn { get; set; }

    /// <summary>Time between this attempt's end and the next attempt of the same state, when there is one.</summary>
    public double? DelayBeforeNextSeconds { get; set; }
}

public enum TaskRunOutcome
{
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

/// <summary>One RedriveExecution of an execution (ExecutionRedriven event).</summary>
public sealed class RedriveRecord
{
    public long Id { get; set; }
    public required string ExecutionArn { get; set; }
    public int RedriveCount { get; set; }
    public DateTimeOffset RedrivenAt { get; set; }
}

/// <summary>The event history of an execution as last fetched, kept so the detail page works when AWS is not reachable.</summary>
public sealed class ExecutionHistoryRecord
{
    public required string ExecutionArn { get; set; }
    public int EventCount { get; set; }
    public required string EventsJson { get; set; }
    public DateTimeOffset FetchedAt { get; set; }
}

/// <summary>An ECS task seen stopped. ECS forgets stopped tasks after about an hour; this row keeps why it stopped.</summary>
public sealed class StoppedTaskRecord
{
    public required string TaskArn { get; set; }
    public required string ClusterArn { get; set; }
    public string? TaskDefinitionArn { get; set; }
    public string? Family { get; set; }
    public string? Group { get; set; }
    public string? StartedBy { get; set; }
    public string? StopCode { get; set; }
    public string? StoppedReason { get; set; }
    public int? ExitCode { get; set; }
    public string? ContainerReason { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset StoppedAt { get; set; }
    public StopReasonClass ReasonClass { get; set; }
    public bool Retryable { get; set; }
    public DateTimeOffset CapturedAt { get; set; }
}

/// <summary>Where a sync job got to, and whether its source answered last time (stale data notices).</summary>
public sealed class SyncCursorRecord
{
    /// <summary>e.g. <c>executions:arn:aws:states:...</c>, <c>stopped-tasks:arn:aws:ecs:...</c>, <c>state-machines</c>.</summary>
    public required string Key { get; set; }
    public DateTimeOffset? NewestStartDate { get; set; }
    public string? NewestArn { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }
}

/// <summary>One run of a sync job on one instance: when, where, and how it ended (several instances never overlap).</summary>
public sealed class SyncRunRecord
{
    public long Id { get; set; }
    public required string Job { get; set; }

    /// <summary>The dashboard instance (host name and process id) that ran it.</summary>
    public required string Instance { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Null when it succeeded (or is still running).</summary>
    public string? Error { get; set; }
}
