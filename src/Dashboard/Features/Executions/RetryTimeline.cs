using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Executions;

/// <summary>
/// The retry history of an execution in one chronological list (ARCHITECTURE.md): every attempt of every Task state
/// with the delay before the next, every redrive, and every re-run started from it. What an attempt's history did not
/// say about its ECS task (a task-token run reports no task JSON) comes from the captured stopped task.
/// </summary>
public static class RetryTimeline
{
    public static IReadOnlyList<TimelineItem> Build(ExecutionDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var items = new List<TimelineItem>();
        foreach (var run in detail.TaskRuns)
        {
            var stopped = run.TaskArn is not null ? detail.StoppedTasks.GetValueOrDefault(run.TaskArn) : null;
            items.Add(new TimelineItem(
                TimelineItemKind.Attempt,
                run.ScheduledAt,
                StateName: run.StateName,
                Attempt: run.Attempt,
                RedriveCount: run.RedriveCount,
                Outcome: run.Outcome,
                Duration: run.EndedAt is { } end ? end - run.ScheduledAt : null,
                Resource: $"{run.ResourceType}:{run.Resource}",
                StopCode: run.StopCode ?? stopped?.StopCode,
                ExitCode: run.ExitCode ?? stopped?.ExitCode,
                StoppedReason: run.StoppedReason ?? stopped?.StoppedReason,
                Error: run.Error,
                Cause: run.Cause,
                ReasonClass: ReasonOf(run, stopped),
                Retryable: run.Retryable ?? stopped?.Retryable,
                Execution: run.ChildExecutionArn is { } child ? detail.Children.FirstOrDefault(c => c.Arn == child) : null,
                DelayBeforeNext: run.DelayBeforeNextSeconds is { } delay ? TimeSpan.FromSeconds(delay) : null));
        }

        items.AddRange(detail.Redrives.Select(r => new TimelineItem(TimelineItemKind.Redrive, r.RedrivenAt, RedriveCount: r.RedriveCount)));
        items.AddRange(detail.Reruns.Select(r => new TimelineItem(TimelineItemKind.Rerun, r.StartDate, Execution: r)));
        return [.. items.OrderBy(i => i.At).ThenBy(i => i.Kind)];
    }

    /// <summary>The history's class unless it could only say "Other"; then the captured stopped task's.</summary>
    public static StopReasonClass? ReasonOf(TaskRunRecord run, StoppedTaskRecord? stopped)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.ReasonClass is { } c && c != StopReasonClass.Other ? c : stopped?.ReasonClass ?? run.ReasonClass;
    }
}
