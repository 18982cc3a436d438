using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Sync;

/// <summary>What an execution's history says about its task attempts and redrives.</summary>
public sealed record HistoryAnalysis(IReadOnlyList<TaskRunRecord> TaskRuns, IReadOnlyList<RedriveRecord> Redrives)
{
    /// <summary>The class of the last failed attempt, or null when none failed.</summary>
    public StopReasonClass? LastFailureClass => TaskRuns.LastOrDefault(r => r.Outcome is TaskRunOutcome.Failed or TaskRunOutcome.TimedOut)?.ReasonClass;
}

/// <summary>
/// Turns a GetExecutionHistory event list into task attempts (one per TaskScheduled), with the ECS task, stop code,
/// stopped reason and exit code read from the TaskSubmitted output and the TaskSucceeded/TaskFailed output or cause,
/// child executions of states:startExecution, and redrives. Events are tied to their state through previousEventId,
/// so interleaved Parallel branches are attributed correctly.
/// </summary>
public static class ExecutionHistoryAnalyzer
{
    private const int MaxStoredText = 4096;

    public static HistoryAnalysis Analyze(string executionArn, IReadOnlyList<HistoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var byId = new Dictionary<long, HistoryEvent>(events.Count);
        foreach (var e in events)
        {
            byId[e.Id] = e;
        }

        var runs = new List<TaskRunRecord>();
        var runByScheduledId = new Dictionary<long, TaskRunRecord>();
        var redrives = new List<RedriveRecord>();
        var attemptsPerState = new Dictionary<string, int>(StringComparer.Ordinal);
        var redriveCount = 0;

        foreach (var e in events.OrderBy(e => e.Id))
        {
            switch (e.Type)
            {
                case "ExecutionRedriven":
                    redriveCount = e.ExecutionRedrivenEventDetails?.RedriveCount ?? redriveCount + 1;
                    redrives.Add(new RedriveRecord { ExecutionArn = executionArn, RedriveCount = redriveCount, RedrivenAt = e.Timestamp });
                    break;
                case "ExecutionFailed" or "ExecutionAborted" or "ExecutionTimedOut":
                    foreach (var open in runs.Where(r => r.Outcome == TaskRunOutcome.Running))
                    {
                        open.Outcome = TaskRunOutcome.Aborted;
                        open.EndedAt = e.Timestamp;
                        if (e.Type == "ExecutionAborted")
                        {
                            open.ReasonClass ??= StopReasonClass.UserOrServiceStop;
                            open.Retryable ??= false;
                        }
                    }

                    break;
                case "TaskScheduled" when e.TaskScheduledEventDetails is { } scheduled:
                    {
                        // "Run worker (last attempt)" is the last attempt of "Run worker" (WorkflowStates).
                        var state = WorkflowStates.Logical(StateNameOf(e, byId) ?? "(unknown state)");
                        var attempt = attemptsPerState[state] = attemptsPerState.GetValueOrDefault(state) + 1;
                        var run = new TaskRunRecord
                        {
                            ExecutionArn = executionArn,
                            ScheduledEventId = e.Id,
                            StateName = state,
                            Attempt = attempt,
                            RedriveCount = redriveCount,
                            ResourceType = scheduled.ResourceType,
                            Resource = scheduled.Resource,
                            ScheduledAt = e.Timestamp,
                            Outcome = TaskRunOutcome.Running,
                        };
                        ReadParameters(run, scheduled.Parameters);
                        runs.Add(run);
                        runByScheduledId[e.Id] = run;
                        break;
                    }

                case "TaskSubmitted" when RunOf(e, byId, runByScheduledId) is { } run:
                    ReadResult(run, e.TaskSubmittedEventDetails?.Output);
                    break;
                case "TaskSucceeded" when RunOf(e, byId, runByScheduledId) is { } run:
                    run.Outcome = TaskRunOutcome.Succeeded;
                    run.EndedAt = e.Timestamp;
                    ReadResult(run, e.TaskSucceededEventDetails?.Output);
                    if (run.ResourceType == "ecs" && run.ReasonClass is null && run.TaskArn is not null && run.Resource.EndsWith(".sync", StringComparison.Ordinal))
                    {
                        run.ReasonClass = StopReasonClass.Succeeded;
                        run.Retryable = false;
                    }

                    break;
                case "TaskFailed" or "TaskStartFailed" or "TaskSubmitFailed" when RunOf(e, byId, runByScheduledId) is { } run:
                    {
                        var (error, cause) = e.Type switch
                        {
                            "TaskFailed" => (e.TaskFailedEventDetails?.Error, e.TaskFailedEventDetails?.Cause),
                            "TaskStartFailed" => (e.TaskStartFailedEventDetails?.Error, e.TaskStartFailedEventDetails?.Cause),
                            _ => (e.TaskSubmitFailedEventDetails?.Error, e.TaskSubmitFailedEventDetails?.Cause),
                        };
                        Fail(run, TaskRunOutcome.Failed, e.Timestamp, error, cause);
                        break;
                    }

                case "TaskTimedOut" when RunOf(e, byId, runByScheduledId) is { } run:
                    Fail(run, TaskRunOutcome.TimedOut, e.Timestamp, e.TaskTimedOutEventDetails?.Error ?? "States.Timeout", e.TaskTimedOutEventDetails?.Cause);
                    break;
            }
        }

        // Delay before the next attempt of the same state: what an operator reads as "backed off for 20 s".
        foreach (var group in runs.GroupBy(r => r.StateName))
        {
            var ordered = group.OrderBy(r => r.Attempt).ToList();
            for (var i = 0; i + 1 < ordered.Count; i++)
            {
                if (ordered[i].EndedAt is { } ended)
                {
                    ordered[i].DelayBeforeNextSeconds = Math.Max(0, (ordered[i + 1].ScheduledAt - ended).TotalSeconds);
                }
            }
        }

        return new HistoryAnalysis(runs, redrives);
    }

    private static void Fail(TaskRunRecord run, TaskRunOutcome outcome, DateTimeOffset at, string? error, string? cause)
    {
        run.Outcome = outcome;
        run.EndedAt = at;
        run.Error = Cut(error);
        run.Cause = Cut(cause);
        ReadResult(run, cause);
        if (run.ReasonClass is null || run.ReasonClass == StopReasonClass.Succeeded)
        {
            var byError = StopReasonClassifier.ClassifyTaskError(error ?? (outcome == TaskRunOutcome.TimedOut ? "States.Timeout" : null));
            run.ReasonClass = byError?.Class ?? StopReasonClass.Other;
            run.Retryable = byError?.Retryable ?? false;
        }
    }

    /// <summary>Walks previousEventId back to the TaskScheduled this event belongs to.</summary>
    private static TaskRunRecord? RunOf(HistoryEvent e, Dictionary<long, HistoryEvent> byId, Dictionary<long, TaskRunRecord> runs)
    {
        var current = e;
        for (var hops = 0; hops < 16 && current.PreviousEventId is { } previous && byId.TryGetValue(previous, out var p); hops++)
        {
            if (p.Type == "TaskScheduled")
            {
                return runs.GetValueOrDefault(p.Id);
            }

            current = p;
        }

        return null;
    }

    /// <summary>Walks previousEventId back to the *StateEntered event of the state that scheduled the task.</summary>
    private static string? StateNameOf(HistoryEvent e, Dictionary<long, HistoryEvent> byId)
    {
        var current = e;
        for (var hops = 0; hops < 10_000 && current.PreviousEventId is { } previous; hops++)
        {
            // AWS gives the first state's entered event previousEventId 0; fall back to the event just before.
            if (!byId.TryGetValue(previous == 0 && current.Id > 1 ? current.Id - 1 : previous, out var p) || p.Id == current.Id)
            {
                return null;
            }

            if (p.StateEnteredEventDetails is { } entered)
            {
                return entered.Name;
            }

            current = p;
        }

        return null;
    }

    private static void ReadParameters(TaskRunRecord run, string? parameters)
    {
        if (run.ResourceType == "ecs" && TryParse(parameters) is { } doc)
        {
            using (doc)
            {
                run.ClusterArn = Get(doc.RootElement, "Cluster")?.GetString();
            }
        }
    }

    /// <summary>Reads the ECS task (or child execution) out of a TaskSubmitted/TaskSucceeded output or a TaskFailed cause.</summary>
    private static void ReadResult(TaskRunRecord run, string? json)
    {
        if (TryParse(json) is not { } doc)
        {
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (run.ResourceType == "ecs")
            {
                var task = Get(root, "Tasks") is { ValueKind: JsonValueKind.Array } tasks && tasks.GetArrayLength() > 0 ? tasks[0] : root;
                if (Get(task, "TaskArn")?.GetString() is { } taskArn)
                {
                    run.TaskArn = taskArn;
                }

                run.ClusterArn = Get(task, "ClusterArn")?.GetString() ?? run.ClusterArn;
                run.TaskDefinitionArn = Get(task, "TaskDefinitionArn")?.GetString() ?? run.TaskDefinitionArn;
                var stopCode = Get(task, "StopCode")?.GetString();
                var reason = Get(task, "StoppedReason")?.GetString();
                int? exitCode = null;
                string? containerReason = null;
                if (Get(task, "Containers") is { ValueKind: JsonValueKind.Array } containers && containers.GetArrayLength() > 0)
                {
                    var first = containers[0];
                    exitCode = Get(first, "ExitCode") is { ValueKind: JsonValueKind.Number } code ? code.GetInt32() : null;
                    containerReason = Get(first, "Reason")?.GetString();
                }

                if (stopCode is not null || reason is not null || exitCode is not null)
                {
                    run.StopCode = stopCode;
                    run.StoppedReason = Cut(reason);
                    run.ExitCode = exitCode;
                    var classification = StopReasonClassifier.Classify(new StoppedTaskFacts(stopCode, reason, exitCode, containerReason));
                    run.ReasonClass = classification.Class;
                    run.Retryable = classification.Retryable;
                }
            }
            else if (run.ResourceType == "states" && Get(root, "ExecutionArn")?.GetString() is { } child)
            {
                run.ChildExecutionArn = child;
            }
        }
    }

    private static JsonElement? Get(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name) || string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Null ? null : property.Value;
            }
        }

        return null;
    }

    private static JsonDocument? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Cut(string? text) => StoredHistory.Cut(text, MaxStoredText);
}
