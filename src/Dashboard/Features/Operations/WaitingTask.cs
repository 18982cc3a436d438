using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// A task state waiting for its task token (.waitForTaskToken) with no answer yet. The token is read from the history
/// and stays on the server: it is never shown, logged or typed.
/// </summary>
/// <param name="TaskArn">The ECS task the worker ran in, when the state ran one (from TaskSubmitted).</param>
public sealed record WaitingTask(long ScheduledEventId, string StateName, string Resource, DateTimeOffset ScheduledAt, string? TaskArn, string Token)
{
    private static readonly HashSet<string> Answered = new(StringComparer.Ordinal)
    {
        "TaskSucceeded", "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
        "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut",
    };

    /// <summary>The latest waitForTaskToken task not answered yet, or null.</summary>
    public static WaitingTask? Find(IReadOnlyList<HistoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var scheduled = events.LastOrDefault(e => e.Type == "TaskScheduled" && e.TaskScheduledEventDetails?.Resource?.EndsWith(".waitForTaskToken", StringComparison.Ordinal) == true);
        if (scheduled is null || events.Any(e => e.Id > scheduled.Id && Answered.Contains(e.Type)))
        {
            return null;
        }

        var details = scheduled.TaskScheduledEventDetails!;
        if (FindToken(details.Parameters) is not { } token)
        {
            return null;
        }

        var entered = events.LastOrDefault(e => e.Id < scheduled.Id && e.Type == "TaskStateEntered");
        var submitted = events.FirstOrDefault(e => e.Id > scheduled.Id && e.Type == "TaskSubmitted");
        return new WaitingTask(scheduled.Id, entered?.StateEnteredEventDetails?.Name ?? "(unknown state)", $"{details.ResourceType}:{details.Resource}",
            scheduled.Timestamp, TaskArnOf(submitted?.TaskSubmittedEventDetails?.Output), token);
    }

    /// <summary>The token in a task's parameters: a TaskToken member, or the worker's TASK_TOKEN environment variable.</summary>
    private static string? FindToken(string? parameters)
    {
        if (string.IsNullOrEmpty(parameters) || JsonNode.Parse(parameters) is not { } root)
        {
            return null;
        }

        return Search(root);

        static string? Search(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["Name"] is JsonValue name && name.TryGetValue<string>(out var n) && n == WorkerEnvironment.TaskToken && o["Value"] is JsonValue value && value.TryGetValue<string>(out var v))
                    {
                        return v;
                    }

                    foreach (var (key, child) in o)
                    {
                        if (key is "TaskToken" or "taskToken" && child is JsonValue token && token.TryGetValue<string>(out var t))
                        {
                            return t;
                        }

                        if (Search(child) is { } found)
                        {
                            return found;
                        }
                    }

                    return null;
                case JsonArray a:
                    return a.Select(Search).FirstOrDefault(f => f is not null);
                default:
                    return null;
            }
        }
    }

    private const string TaskArnMember = "TaskArn";

    private static string? TaskArnOf(string? submittedOutput)
    {
        if (string.IsNullOrEmpty(submittedOutput))
        {
            return null;
        }

        try
        {
            // RunTask's response as Step Functions reports it: {"Tasks": [{"TaskArn": ...}]} (PascalCase), or the API's camelCase.
            var output = JsonNode.Parse(submittedOutput);
            var first = (output?["Tasks"] ?? output?["tasks"])?[0];
            return (first?[TaskArnMember] ?? first?["taskArn"])?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
