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

    /// <summary>Why AWS will not redrive it (DescribeExecution's redriveStatusReason), shown beside the disabled button.</summary>
    public string? RedriveStatusReason { get; set; }
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

    /// <summary>Fetches of its history that failed in a row; at Sync:PoisonAfter the execution is poisoned: skipped, shown on /sync.</summary>
    public int HistoryFailures { get; set; }

    /// <summary>Not fetched again before this (backoff after a failed fetch).</summary>
    public DateTimeOffset? HistoryRetryAt { get; set; }

    /// <summary>Why the last fetch failed (AWS's error code and message).</summary>
    public string? HistoryError { get; set; }
}

/// <summary>
/// How many executions have one workflow, status, redrivability and stopped-reason class, overall (grain 0), per day
/// (grain 1) and per hour (grain 2) of their start. Database triggers keep it in step with every write to executions, so
/// the executions page reads its counts here instead of counting a million rows (see ExecutionCounts).
/// </summary>
public sealed class ExecutionCountRecord : IKeptCountRow
{
    /// <summary>0: all time, 1: a day, 2: an hour.</summary>
    public int Grain { get; set; }

    /// <summary>Days or hours since 0001-01-01 UTC (UtcTicks / TicksPerDay or TicksPerHour); 0 for all time.</summary>
    public long Bucket { get; set; }

    public required string Workflow { get; set; }
    public required string Status { get; set; }

    /// <summary>Failed, timed out or aborted and still REDRIVABLE.</summary>
    public bool Redrivable { get; set; }

    /// <summary>The stopped-reason class, or "" for none.</summary>
    public required string Reason { get; set; }
    public long Count { get; set; }
}

/// <summary>How many stopped tasks one bucket holds per task definition family, reason class and exit code (kept by triggers; see <see cref="StoppedTaskCounts"/>).</summary>
public sealed class StoppedTaskCountRecord : IKeptCountRow
{
    /// <summary>0: all time, 1: a day, 2: an hour.</summary>
    public int Grain { get; set; }

    /// <summary>Days or hours since 0001-01-01 UTC of the stop; 0 for all time.</summary>
    public long Bucket { get; set; }

    /// <summary>The task definition family, or "" for none.</summary>
    public required string Family { get; set; }
    public required string Reason { get; set; }

    /// <summary>The essential container's exit code, or <see cref="StoppedTaskCounts.NoExitCode"/>.</summary>
    public int ExitCode { get; set; }
    public long Count { get; set; }
}

/// <summary>One attempt of one Task state: an ECS task, a child execution or another integration call.</summary>
public sealed class TaskRunRecord
{
    public long Id { get; set; }
    public required string ExecutionArn { get; set; }

    /// <summary>The TaskScheduled event's id in the history: with the execution, what makes a task run unique.</summary>
    public long ScheduledEventId { get; set; }

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

/// <summary>
/// The event history of an execution as last fetched, kept so the detail page works when AWS is not reachable. The
/// events are in <see cref="ExecutionHistoryChunkRecord"/>s; a later fetch asks AWS only for events after <see cref="LastEventId"/>.
/// </summary>
public sealed class ExecutionHistoryRecord
{
    public required string ExecutionArn { get; set; }
    public int EventCount { get; set; }

    /// <summary>The id of the newest stored event; 0 when unknown (a history stored before chunks), which fetches it all again.</summary>
    public long LastEventId { get; set; }

    public DateTimeOffset FetchedAt { get; set; }
}

/// <summary>
/// Up to <see cref="StoredHistory.ChunkSize"/> consecutive events of one execution's history, as JSON: a 25 000-event
/// history is written and read a chunk at a time, and a fetch of new events rewrites only the last chunk onward.
/// </summary>
public sealed class ExecutionHistoryChunkRecord
{
    public required string ExecutionArn { get; set; }

    /// <summary>Position of the chunk: it holds the events at positions [Sequence × ChunkSize, (Sequence + 1) × ChunkSize).</summary>
    public int Sequence { get; set; }

    public required string EventsJson { get; set; }
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

    /// <summary>Where a first sync (backfill) of a state machine's executions goes on: AWS's NextToken, saved after every page.</summary>
    public string? BackfillToken { get; set; }

    /// <summary>The newest execution when the backfill began: known ground once it finishes.</summary>
    public DateTimeOffset? BackfillTop { get; set; }
    public string? BackfillTopArn { get; set; }

    /// <summary>ListExecutions pages the backfill has read so far (progress on /sync).</summary>
    public int BackfillPages { get; set; }
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

/// <summary>
/// One operator action (start, redrive, re-run, stop, callback, or a bulk action and each of its items), written before
/// it is carried out and completed after, with the result and AWS's request id. The table is the audit log: rows are
/// never deleted, and a completed row never changes (database triggers refuse both).
/// </summary>
public sealed class OperationRecord
{
    public long Id { get; set; }
    public required OperationKind Kind { get; set; }

    /// <summary>Who asked (the signed-in user's name), or who asked for the bulk action an item belongs to.</summary>
    public required string Actor { get; set; }

    /// <summary>The user's stable id from the identity provider (oid, sub or name identifier): a display name can change or repeat.</summary>
    public string? ActorId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public OperationStatus Status { get; set; }

    /// <summary>The state machine's name, for the audit filter.</summary>
    public string? Workflow { get; set; }

    /// <summary>The execution acted on (redrive, re-run, stop, callback) or the state machine started.</summary>
    public string? TargetArn { get; set; }

    /// <summary>
    /// A hash of what was asked (or of the caller's own key): the same request twice is one operation. With
    /// <see cref="Generation"/> it is unique; a request that failed may be asked again, as the next generation.
    /// </summary>
    public required string IdempotencyKey { get; set; }
    public int Generation { get; set; }

    /// <summary>A hash of the parameters, so a caller's key reused for a different request is refused.</summary>
    public string? RequestHash { get; set; }

    /// <summary>What was asked, as JSON (the request; never a task token or a secret).</summary>
    public string? Parameters { get; set; }

    /// <summary>The bulk operation this is an item of, and its place in it.</summary>
    public long? ParentId { get; set; }
    public int Position { get; set; }

    /// <summary>How many times it was sent to AWS (retries after a throttle or a restart send the same request again).</summary>
    public int Attempts { get; set; }

    /// <summary>Who holds the right to send it until then; a lapsed claim (a stopped instance) is taken over by recovery.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The execution started, redriven or stopped.</summary>
    public string? ResultArn { get; set; }
    public string? Result { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public string? AwsRequestId { get; set; }

    /// <summary>A bulk operation asked to stop: its queued items are cancelled, the ones sent are kept.</summary>
    public string? CancelRequestedBy { get; set; }
}

public enum OperationKind
{
    Start,
    Redrive,
    Rerun,
    Stop,
    SendTaskSuccess,
    SendTaskFailure,
    BulkRedrive,
    BulkStop,
    CreateSchedule,
    UpdateSchedule,
    EnableSchedule,
    DisableSchedule,
    DeleteSchedule,
    RunScheduleNow,
    PauseScheduleGroup,
    ResumeScheduleGroup,
    RestoreScheduleVersion,
}

/// <summary>An EventBridge Scheduler schedule as last read from AWS (the Schedules pages show this when AWS cannot be reached).</summary>
public sealed class ScheduleRecord
{
    public required string GroupName { get; set; }
    public required string Name { get; set; }
    public required string Arn { get; set; }
    public required string State { get; set; }
    public required string Expression { get; set; }
    public required string Timezone { get; set; }
    public required string TargetArn { get; set; }

    /// <summary>The state machine's name when the target is one.</summary>
    public string? Workflow { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset? CreationDate { get; set; }
    public DateTimeOffset? LastModificationDate { get; set; }

    /// <summary>In a group CloudFormation deploys: an edit here would be reverted by the next deploy.</summary>
    public bool Managed { get; set; }

    /// <summary>Every field GetSchedule returned, as JSON (what an edit starts from and a restore brings back).</summary>
    public required string Definition { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
}

public enum OperationStatus
{
    /// <summary>A bulk item not yet taken up.</summary>
    Queued,

    /// <summary>Written and being carried out (or retried after AWS throttled, failed or was unreachable).</summary>
    Pending,
    Succeeded,
    Failed,

    /// <summary>The user lacked the role: nothing was sent.</summary>
    Refused,
    Cancelled,
}
