using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Navigation;

namespace BatchOps.Dashboard.Features.Executions;

/// <summary>
/// The execution page's state, per execution ARN: what the read model holds, shown at once, then refreshed from AWS
/// (DescribeExecution + GetExecutionHistory). Following a link to another execution starts over for that one; when AWS
/// cannot be reached the page says so and keeps showing what it had.
/// </summary>
public sealed class ExecutionDetailViewModel(IExecutionDetailQueries queries, IExecutionRefresher refresher, DashboardModeInfo mode)
{
    public string? Arn { get; private set; }
    public string? NotFound { get; private set; }
    public ExecutionSummaryModel? Summary { get; private set; }
    public IReadOnlyList<TimelineItem> Timeline { get; private set; } = [];
    public IReadOnlyList<EcsTaskModel> EcsTasks { get; private set; } = [];
    public IReadOnlyList<HistoryEventModel> Events { get; private set; } = [];
    public string? Input { get; private set; }
    public string? Output { get; private set; }
    public bool Refreshing { get; private set; }
    public string? RefreshError { get; private set; }

    /// <summary>Reads the execution from the read model; a different ARN than last time resets everything first.</summary>
    public async Task LoadAsync(string arn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arn);
        if (arn != Arn)
        {
            Arn = arn;
            Summary = null;
            Timeline = [];
            EcsTasks = [];
            Events = [];
            Input = Output = null;
            Refreshing = false;
            RefreshError = null;
        }

        NotFound = IsExecutionArn(arn) ? null : $"\"{arn}\" is not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>).";
        if (NotFound is null)
        {
            await ReadAsync(arn, cancellationToken);
        }
    }

    /// <summary>Refreshes <paramref name="arn"/> from AWS; a result for an execution the page no longer shows is dropped.</summary>
    public async Task RefreshFromAwsAsync(string arn, CancellationToken cancellationToken)
    {
        if (arn != Arn || NotFound is not null)
        {
            return;
        }

        Refreshing = true;
        string? error = null;
        var exists = true;
        try
        {
            exists = await refresher.RefreshAsync(arn, cancellationToken);
        }
        catch (Exception ex) when (ex is AwsServiceException or AwsTransportException or HttpRequestException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            error = ex.Message;
        }

        if (arn != Arn)
        {
            return;
        }

        Refreshing = false;
        RefreshError = error;
        await ReadAsync(arn, cancellationToken);
        if (!exists && Summary is null)
        {
            NotFound = $"No execution {arn} in the read model, and AWS does not know it either (wrong ARN, or past the 90-day retention).";
        }
    }

    public static bool IsExecutionArn(string arn) =>
        arn.StartsWith("arn:", StringComparison.Ordinal) && arn.Split(':') is { Length: 8 } parts && parts[2] == "states" && parts[5] == "execution";

    /// <summary>The Fail state the last run ended in, if it ended in one: a redrive would enter it again and fail the same way.</summary>
    private static string? FailStateReached(IReadOnlyList<HistoryEvent> events)
    {
        var lastRun = events.LastOrDefault(ev => ev.Type is "ExecutionRedriven" or "ExecutionStarted")?.Id ?? 0;
        return events.LastOrDefault(ev => ev.Id > lastRun && ev.Type == "FailStateEntered")?.StateEnteredEventDetails?.Name;
    }

    private async Task ReadAsync(string arn, CancellationToken cancellationToken)
    {
        var detail = await queries.GetAsync(arn, cancellationToken);
        if (detail is null || arn != Arn)
        {
            return;
        }

        var e = detail.Execution;
        Summary = new ExecutionSummaryModel(
            e.Arn, e.Name, e.StateMachineName, e.Status, e.StartDate, e.StopDate, e.RedriveCount, e.RedriveDate, e.RedriveStatus,
            e.EcsTaskCount, detail.TaskRuns.Count, e.Error, e.Cause, detail.RerunOf, detail.Parent, detail.HistoryFetchedAt,
            mode.IsSandbox ? null : DashboardUrls.AwsConsoleExecution(mode.Region, e.Arn),
            e.RedriveStatusReason,
            e.Status == ExecutionStatus.FAILED ? FailStateReached(detail.Events) : null);
        Timeline = RetryTimeline.Build(detail);
        EcsTasks = [.. detail.TaskRuns.Where(r => r.TaskArn is not null).Select(r =>
        {
            var stopped = detail.StoppedTasks.GetValueOrDefault(r.TaskArn!);
            return new EcsTaskModel(
                r.StateName, r.Attempt, r.TaskArn!, r.Outcome,
                r.StopCode ?? stopped?.StopCode, r.ExitCode ?? stopped?.ExitCode, r.StoppedReason ?? stopped?.StoppedReason,
                RetryTimeline.ReasonOf(r, stopped), r.Retryable ?? stopped?.Retryable,
                mode.IsSandbox ? DashboardUrls.SandboxTaskLogs(r.TaskArn!) : DashboardUrls.AwsConsoleTaskLogs(mode.Region, r.TaskArn!),
                mode.IsSandbox);
        })];
        Events = [.. detail.Events.Select(ev => new HistoryEventModel(ev.Id, ev.Timestamp, ev.Type, StateOf(ev), Summarize(ev)))];
        Input = e.Input;
        Output = e.Output;
    }

    private static string? StateOf(HistoryEvent e) => e.StateEnteredEventDetails?.Name ?? e.StateExitedEventDetails?.Name;

    /// <summary>One line per event: the error, the resource or the state, whichever tells most.</summary>
    private static string? Summarize(HistoryEvent e) =>
        e.TaskFailedEventDetails is { } failed ? Join(failed.Error, Short(failed.Cause))
        : e.ExecutionFailedEventDetails is { } ef ? Join(ef.Error, Short(ef.Cause))
        : e.TaskTimedOutEventDetails is { } timedOut ? Join(timedOut.Error, Short(timedOut.Cause))
        : e.TaskScheduledEventDetails is { } scheduled ? $"{scheduled.ResourceType}:{scheduled.Resource}"
        : e.ExecutionRedrivenEventDetails is { } redriven ? $"redrive {redriven.RedriveCount}"
        : e.TaskSubmittedEventDetails is not null ? "submitted"
        : null;

    private static string? Join(string? error, string? cause) => cause is null ? error : $"{error}: {cause}";

    private static string? Short(string? text) => text is { Length: > 300 } ? text[..300] + "…" : text;
}
