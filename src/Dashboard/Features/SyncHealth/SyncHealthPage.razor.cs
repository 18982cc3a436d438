using System.Globalization;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.SyncHealth;

/// <summary>Every source the sync reads, failing ones first, how far behind each is, and the last hour's failed passes; live.</summary>
public sealed partial class SyncHealthPage
{
    private SyncHealthView? view;

    [Inject] public required SyncHealthQueries Queries { get; init; }

    protected override async Task OnInitializedAsync()
    {
        // Sync status changes when a read fails or recovers; the clock moves "behind by".
        Watch(ReadModelChangeKind.SyncStatus | ReadModelChangeKind.Executions | ReadModelChangeKind.Clock, LoadAsync);
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken) => view = await Queries.GetAsync(cancellationToken);

    private static string Summary(SyncHealthView view)
    {
        var failing = view.Sources.Count(s => s.ConsecutiveFailures > 0);
        var sources = view.Sources.Count.ToString("N0", CultureInfo.InvariantCulture);
        var runs = $"{view.RunsLastHour.ToString("N0", CultureInfo.InvariantCulture)} passes in the last hour, {view.FailedRunsLastHour.ToString("N0", CultureInfo.InvariantCulture)} failed";
        return failing == 0 ? $"{sources} sources, all reading; {runs}" : $"{failing} of {sources} sources failing; {runs}";
    }

    private static string UnreadSummary(SyncHealthView view)
    {
        var total = view.UnreadHistoryCount.ToString("N0", CultureInfo.InvariantCulture);
        var shown = view.UnreadHistoryCount > view.UnreadHistories.Count ? $" (the {view.UnreadHistories.Count} with the most failures shown)" : string.Empty;
        return $"{total} executions{shown}; a poisoned one is no longer fetched by the sync, so it cannot hold up the others. Opening its page tries again, and a change of its status puts it back in the sync.";
    }

    private static string JobLabel(string job) => job switch
    {
        "executions" => "Executions",
        "stopped-tasks" => "Stopped tasks",
        "state-machines" => "State machines",
        "schedules" => "Schedules",
        "histories" => "Execution histories",
        "redrives" => "Redrives of older executions",
        _ => job,
    };
}
