using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Sync;

namespace BatchOps.Dashboard.Features.Executions;

/// <summary>
/// The execution page's state. It shows the read model at once, then refreshes the execution from AWS
/// (DescribeExecution + GetExecutionHistory) and shows it again; when AWS cannot be reached it says so and keeps
/// showing what it had.
/// </summary>
public sealed class ExecutionDetailViewModel(ExecutionDetailQueries queries, HistorySynchronizer histories)
{
    public const int EventsPageSize = 50;

    public string? Arn { get; private set; }
    public ExecutionDetail? Detail { get; private set; }
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public bool Refreshing { get; private set; }
    public string? RefreshError { get; private set; }
    public string? NotFound { get; private set; }

    public string EventSearch { get; set; } = "";
    public int EventsPage { get; set; } = 1;

    public async Task LoadAsync(string arn, CancellationToken cancellationToken)
    {
        if (arn != Arn)
        {
            EventSearch = "";
            EventsPage = 1;
        }

        Arn = arn;
        NotFound = IsExecutionArn(arn) ? null : $"\"{arn}\" is not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>).";
        if (NotFound is not null)
        {
            Detail = null;
            return;
        }

        await ReadAsync(cancellationToken);
    }

    /// <summary>Refreshes from AWS; the caller re-renders before and after.</summary>
    public async Task RefreshFromAwsAsync(CancellationToken cancellationToken)
    {
        if (Arn is null || NotFound is not null)
        {
            return;
        }

        Refreshing = true;
        try
        {
            var exists = await histories.RefreshAsync(Arn, cancellationToken);
            RefreshError = null;
            if (!exists && Detail is null)
            {
                NotFound = $"No execution {Arn} in the read model, and AWS does not know it either (wrong ARN, or past the 90-day retention).";
            }
        }
        catch (Exception ex) when (ex is AwsServiceException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            RefreshError = ex.Message;
        }
        finally
        {
            Refreshing = false;
        }

        await ReadAsync(cancellationToken);
    }

    public IReadOnlyList<HistoryEvent> FilteredEvents()
    {
        if (Detail is null)
        {
            return [];
        }

        var search = EventSearch.Trim();
        return search.Length == 0
            ? Detail.Events
            : [.. Detail.Events.Where(e => e.Type.Contains(search, StringComparison.OrdinalIgnoreCase) || (StateOf(e)?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false))];
    }

    public static string? StateOf(HistoryEvent e) => e.StateEnteredEventDetails?.Name ?? e.StateExitedEventDetails?.Name;

    public static bool IsExecutionArn(string arn) =>
        arn.StartsWith("arn:", StringComparison.Ordinal) && arn.Split(':') is { Length: 8 } parts && parts[2] == "states" && parts[5] == "execution";

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        Detail = await queries.GetAsync(Arn!, cancellationToken);
        Timeline = Detail is null ? [] : RetryTimeline.Build(Detail);
    }
}
