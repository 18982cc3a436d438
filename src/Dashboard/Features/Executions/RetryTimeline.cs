using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Executions;

public enum TimelineEntryKind
{
    Attempt,
    Redrive,
    Rerun,
    Child,
}

/// <summary>One line of the retry history: an attempt of a task state, a redrive, a re-run or a child execution.</summary>
public sealed record TimelineEntry(
    TimelineEntryKind Kind,
    DateTimeOffset At,
    TaskRunRecord? Attempt = null,
    StoppedTaskRecord? StoppedTask = null,
    int? RedriveCount = null,
    LinkedExecution? Execution = null)
{
    /// <summary>Exit code from the history, or from the captured stopped task (task-token runs report no ECS JSON).</summary>
    public int? ExitCode => Attempt?.ExitCode ?? StoppedTask?.ExitCode;
    public string? StopCode => Attempt?.StopCode ?? StoppedTask?.StopCode;
    public string? StoppedReason => Attempt?.StoppedReason ?? StoppedTask?.StoppedReason;
    public StopReasonClass? ReasonClass => Attempt?.ReasonClass is { } c && c != StopReasonClass.Other ? c : StoppedTask?.ReasonClass ?? Attempt?.ReasonClass;
}

/// <summary>
/// The retry history of an execution in one chronological list (ARCHITECTURE.md): every attempt of every Task state
/// with the delay before the next, every redrive, every re-run started from it, and its child executions.
/// </summary>
public static class RetryTimeline
{
    public static IReadOnlyList<TimelineEntry> Build(ExecutionDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var entries = new List<TimelineEntry>();
        foreach (var run in detail.TaskRuns)
        {
            entries.Add(new TimelineEntry(
                TimelineEntryKind.Attempt,
                run.ScheduledAt,
                Attempt: run,
                StoppedTask: run.TaskArn is not null ? detail.StoppedTasks.GetValueOrDefault(run.TaskArn) : null,
                Execution: run.ChildExecutionArn is { } child ? detail.Children.FirstOrDefault(c => c.Arn == child) : null));
        }

        entries.AddRange(detail.Redrives.Select(r => new TimelineEntry(TimelineEntryKind.Redrive, r.RedrivenAt, RedriveCount: r.RedriveCount)));
        entries.AddRange(detail.Reruns.Select(r => new TimelineEntry(TimelineEntryKind.Rerun, r.StartDate, Execution: r)));
        return [.. entries.OrderBy(e => e.At).ThenBy(e => e.Kind)];
    }
}
