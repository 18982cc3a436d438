using System.Diagnostics;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.ReadModelBench;

/// <summary>
/// The Execution page's server time for a history of AWS's maximum size (25 000 events): a Map of ECS tasks, one task
/// run per iteration, read from the read model and built into the page's models (timeline, ECS tasks, event rows).
/// </summary>
internal static class LargeHistory
{
    private const string Arn = "arn:aws:states:us-east-1:123456789012:execution:batch-job:fan-out-25000";

    /// <param name="keep">Leave the execution in the read model, to open it in a browser from a dashboard serving that file.</param>
    public static async Task RunAsync(Func<ReadModelDbContext> create, int runs, bool keep)
    {
        var (events, taskRuns) = Build(25_000);
        await RemoveAsync(create);
        await using (var db = create())
        {
            var start = DateTimeOffset.UtcNow.AddHours(-2);
            db.Executions.Add(new ExecutionRecord
            {
                Arn = Arn,
                StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:batch-job",
                StateMachineName = "batch-job",
                Name = "fan-out-25000",
                Status = "SUCCEEDED",
                StartDate = start,
                StopDate = start.AddHours(1),
                EcsTaskCount = taskRuns.Count,
                UpdatedAt = start,
                HistoryFetchedAt = start.AddHours(1),
            });
            db.Histories.Add(new ExecutionHistoryRecord { ExecutionArn = Arn, EventCount = events.Count, LastEventId = events[^1].Id, FetchedAt = start.AddHours(1) });
            db.HistoryChunks.AddRange(StoredHistory.Chunks(Arn, events));
            db.TaskRuns.AddRange(taskRuns);
            await db.SaveChangesAsync();
        }

        var queries = new ExecutionDetailQueries(new Factory(create));
        var mode = new DashboardModeInfo(DashboardMode.Aws, null, "us-east-1");
        var times = new List<double>();
        long allocated = 0;
        for (var i = 0; i < runs + 5; i++)
        {
            // A fresh view model per run, as each page open gets one.
            var model = new ExecutionDetailViewModel(queries, new NoRefresh(), mode);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            await model.LoadAsync(Arn, CancellationToken.None);
            watch.Stop();
            if (i >= 5)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            }

            if (model.Events.Count != events.Count || model.EcsTasks.Count != taskRuns.Count)
            {
                throw new InvalidOperationException($"The page built {model.Events.Count} event rows and {model.EcsTasks.Count} ECS tasks, not {events.Count} and {taskRuns.Count}.");
            }
        }

        times.Sort();
        if (keep)
        {
            Console.WriteLine($"Kept the execution; with a dashboard serving this read model, open {DashboardUrls.Execution(Arn)}");
        }
        else
        {
            // Gone again, so a later run with --reuse finds the table as the fill left it.
            await RemoveAsync(create);
        }

        Console.WriteLine($"Execution page, {events.Count:N0}-event history and {taskRuns.Count:N0} ECS tasks: median {times[times.Count / 2]:0.0} ms, p95 {times[(int)(times.Count * 0.95)]:0.0} ms server time (read + models), about {allocated / 1024.0 / 1024.0:0.0} MiB allocated per open");
    }

    private static async Task RemoveAsync(Func<ReadModelDbContext> create)
    {
        await using var db = create();
        await db.TaskRuns.Where(r => r.ExecutionArn == Arn).ExecuteDeleteAsync();
        await db.Histories.Where(h => h.ExecutionArn == Arn).ExecuteDeleteAsync();
        await db.HistoryChunks.Where(h => h.ExecutionArn == Arn).ExecuteDeleteAsync();
        await db.Executions.Where(e => e.Arn == Arn).ExecuteDeleteAsync();
    }

    /// <summary>ExecutionStarted, then Map iterations of eight events each (one ECS task), then the end.</summary>
    private static (List<HistoryEvent> Events, List<TaskRunRecord> TaskRuns) Build(int size)
    {
        var events = new List<HistoryEvent>();
        var runs = new List<TaskRunRecord>();
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        HistoryEvent Add(string type, Func<HistoryEvent, HistoryEvent>? details = null)
        {
            var e = new HistoryEvent { Id = events.Count + 1, PreviousEventId = events.Count, Type = type, Timestamp = at = at.AddMilliseconds(100) };
            events.Add(details is null ? e : details(e));
            return e;
        }

        Add(HistoryEventType.ExecutionStarted, e => e with { ExecutionStartedEventDetails = new() { Input = """{"items":25000}""" } });
        Add(HistoryEventType.MapStateEntered, e => e with { StateEnteredEventDetails = new() { Name = "Each", Input = "{}" } });
        Add(HistoryEventType.MapStateStarted, e => e with { MapStateStartedEventDetails = new() { Length = (size - 6) / 8 } });
        for (var index = 0; events.Count + 8 <= size - 3; index++)
        {
            Add(HistoryEventType.MapIterationStarted, e => e with { MapIterationStartedEventDetails = new() { Name = "Each", Index = index } });
            Add(HistoryEventType.TaskStateEntered, e => e with { StateEnteredEventDetails = new() { Name = "Run worker", Input = $$"""{"item":{{index}}}""" } });
            var scheduled = Add(HistoryEventType.TaskScheduled, e => e with { TaskScheduledEventDetails = new() { ResourceType = "ecs", Resource = "runTask.sync", Region = "us-east-1", Parameters = "{}" } });
            Add(HistoryEventType.TaskStarted, e => e with { TaskStartedEventDetails = new() { ResourceType = "ecs", Resource = "runTask.sync" } });
            Add(HistoryEventType.TaskSubmitted, e => e with { TaskSubmittedEventDetails = new() { ResourceType = "ecs", Resource = "runTask.sync", Output = "{}" } });
            Add(HistoryEventType.TaskSucceeded, e => e with { TaskSucceededEventDetails = new() { ResourceType = "ecs", Resource = "runTask.sync", Output = "{}" } });
            Add(HistoryEventType.TaskStateExited, e => e with { StateExitedEventDetails = new() { Name = "Run worker", Output = "{}" } });
            Add(HistoryEventType.MapIterationSucceeded, e => e with { MapIterationSucceededEventDetails = new() { Name = "Each", Index = index } });
            runs.Add(new TaskRunRecord
            {
                ExecutionArn = Arn,
                ScheduledEventId = scheduled.Id,
                StateName = "Run worker",
                Attempt = 1,
                ResourceType = "ecs",
                Resource = "runTask.sync",
                ScheduledAt = at,
                EndedAt = at,
                Outcome = TaskRunOutcome.Succeeded,
                TaskArn = $"arn:aws:ecs:us-east-1:123456789012:task/workers/{index:x8}",
                StopCode = "EssentialContainerExited",
                StoppedReason = "Essential container in task exited",
                ExitCode = 0,
            });
        }

        Add(HistoryEventType.MapStateSucceeded);
        Add(HistoryEventType.MapStateExited, e => e with { StateExitedEventDetails = new() { Name = "Each", Output = "[]" } });
        Add(HistoryEventType.ExecutionSucceeded, e => e with { ExecutionSucceededEventDetails = new() { Output = "[]" } });
        return (events, runs);
    }

    private sealed class NoRefresh : IExecutionRefresher
    {
        public Task<bool> RefreshAsync(string executionArn, CancellationToken cancellationToken) => throw new NotSupportedException("The bench reads the read model only.");
    }
}
