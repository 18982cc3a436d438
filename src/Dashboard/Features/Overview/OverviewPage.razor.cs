using System.Collections.Frozen;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace BatchOps.Dashboard.Features.Overview;

public sealed partial class OverviewPage
{
    private OverviewData? data;
    private FailureChart chart = FailureChart.Empty;
    private IReadOnlyList<Schedules.MissedRun> missed = [];

    [Inject] public required IOverviewQueries Queries { get; init; }
    [Inject] public required Schedules.ScheduleQueries Schedules { get; init; }

    protected override async Task OnInitializedAsync()
    {
        Watch(ReadModelChangeKind.Executions | ReadModelChangeKind.Schedules | ReadModelChangeKind.Clock, LoadAsync);
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        data = await Queries.GetAsync(cancellationToken);
        chart = FailureChart.From(data.Failures);
        missed = await Schedules.MissedAsync(cancellationToken);
    }
}

/// <summary>Failures as a stacked bar per workflow, one series per reason class, each class in its own colour.</summary>
public sealed partial record FailureChart(string[] Labels, List<ChartSeries<double>> Series, ChartOptions Options)
{
    public static FailureChart Empty { get; } = new([], [], new ChartOptions());

    public static FailureChart From(IReadOnlyList<FailureCount> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var workflows = failures.GroupBy(f => f.Workflow).OrderByDescending(g => g.Sum(f => f.Count)).Select(g => g.Key).ToArray();
        var classes = failures.Select(f => f.ReasonClass).Distinct().OrderBy(c => c).ToList();
        var series = classes.Select(c => new ChartSeries<double>
        {
            Name = c is { } rc ? StopReasonTable.Label(rc) : "Not classified yet",
            Data = new ChartData<double>([.. workflows.Select(w => (double)failures.Where(f => f.Workflow == w && f.ReasonClass == c).Sum(f => f.Count))]),
        }).ToList();
        var options = new ChartOptions { ChartPalette = [.. classes.Select(c => c is { } rc ? Colors[rc] : "#9aa0a6")] };
        return new FailureChart(workflows, series, options);
    }
}

public sealed partial record FailureChart
{
    private static readonly FrozenDictionary<StopReasonClass, string> Colors = new Dictionary<StopReasonClass, string>
    {
        [StopReasonClass.ImagePull] = "#d98c1f",
        [StopReasonClass.ResourceInitialization] = "#b8961e",
        [StopReasonClass.Capacity] = "#8d6b1f",
        [StopReasonClass.OutOfMemory] = "#8e1c28",
        [StopReasonClass.ApplicationExit] = "#d33b47",
        [StopReasonClass.UserOrServiceStop] = "#6c757d",
        [StopReasonClass.PlatformError] = "#7b5cb0",
        [StopReasonClass.Other] = "#9aa0a6",
        [StopReasonClass.Succeeded] = "#1b6b2d",
    }.ToFrozenDictionary();
}
