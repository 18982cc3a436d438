using System.Collections.Frozen;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Components.Controls;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Overview;

public sealed partial class OverviewPage : IDisposable
{
    private static readonly FrozenDictionary<StopReasonClass, string> Colors = new Dictionary<StopReasonClass, string>
    {
        [StopReasonClass.ImagePull] = "#e8a33d",
        [StopReasonClass.ResourceInitialization] = "#d4b24c",
        [StopReasonClass.Capacity] = "#b5892d",
        [StopReasonClass.OutOfMemory] = "#b02a37",
        [StopReasonClass.ApplicationExit] = "#dc3545",
        [StopReasonClass.UserOrServiceStop] = "#6c757d",
        [StopReasonClass.PlatformError] = "#8a6d3b",
        [StopReasonClass.Other] = "#adb5bd",
        [StopReasonClass.Succeeded] = "#198754",
    }.ToFrozenDictionary();

    private readonly CancellationTokenSource disposed = new();
    private OverviewData? data;
    private IDisposable? subscription;

    [Inject] public required OverviewQueries Queries { get; init; }
    [Inject] public required ReadModelChanges Changes { get; init; }

    protected override async Task OnInitializedAsync()
    {
        subscription = Changes.Subscribe(ReadModelChangeKind.Executions, () => InvokeAsync(async () =>
        {
            data = await Queries.GetAsync(disposed.Token);
            StateHasChanged();
        }));
        data = await Queries.GetAsync(disposed.Token);
    }

    private List<BarChart.Bar> Bars() =>
        [.. data!.Failures.GroupBy(f => f.Workflow).OrderByDescending(g => g.Sum(f => f.Count)).Select(g => new BarChart.Bar(
            g.Key,
            [.. g.OrderBy(f => f.ReasonClass).Select(f => new BarChart.Segment(
                f.ReasonClass is { } rc ? StopReasonTable.Label(rc) : "Not classified yet",
                f.Count,
                f.ReasonClass is { } c ? Colors[c] : "#ced4da"))]))];

    public void Dispose()
    {
        subscription?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
