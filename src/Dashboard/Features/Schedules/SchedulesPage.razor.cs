using System.Globalization;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>Every schedule of the groups the dashboard shows: when it runs (in words and its next times), what it runs, its state.</summary>
public sealed partial class SchedulesPage
{
    private SchedulesFilter filter = new();
    private IReadOnlyList<ScheduleRow> rows = [];
    private IReadOnlyList<string> groups = [];
    private List<string> problems = [];
    private OperationResult? result;
    private bool busy;

    [Inject] public required ScheduleQueries Queries { get; init; }
    [Inject] public required ScheduleActions Actions { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required IOptions<ScheduleOptions> Options { get; init; }

    [SupplyParameterFromQuery(Name = "group")] public string? Group { get; set; }
    [SupplyParameterFromQuery(Name = "state")] public string? State { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? Search { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? Sort { get; set; }
    [SupplyParameterFromQuery(Name = "dir")] public string? Direction { get; set; }

    protected override void OnInitialized()
    {
        Watch(ReadModelChangeKind.Schedules, LoadAsync);
        // Next fire times move with the clock.
        Watch(ReadModelChangeKind.Clock, LoadAsync);
    }

    protected override async Task OnParametersSetAsync()
    {
        problems = [];
        filter = SchedulesFilter.Parse(new Dictionary<string, string?> { ["group"] = Group, ["state"] = State, ["q"] = Search, ["sort"] = Sort, ["dir"] = Direction }, problems);
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        rows = await Queries.ListAsync(filter, cancellationToken);
        groups = await Queries.GroupsAsync(cancellationToken);
    }

    private void Go(SchedulesFilter next) => Navigation.NavigateTo(DashboardUrls.Schedules(next));

    /// <summary>The header link that sorts by <paramref name="column"/> (again: the other way).</summary>
    private string SortUrl(string column) => DashboardUrls.Schedules(filter with { Sort = column, Descending = filter.Sort == column && !filter.Descending });

    private string? AriaSort(string column) => filter.Sort == column ? (filter.Descending ? "descending" : "ascending") : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A fire time on the schedule's own clock ("2026-11-24 05:00 Asia/Tokyo").</summary>
    public static string InZone(DateTimeOffset at, string zone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) ? TimeZoneInfo.ConvertTime(at, tz).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + zone : at.ToString("u", CultureInfo.InvariantCulture);

    private Task PauseAsync(string group) => RunAsync(async actor => await Actions.PauseGroupAsync(actor, group, CancellationToken.None));

    private Task ResumeAsync(long pauseId) => RunAsync(async actor => await Actions.ResumeGroupAsync(actor, pauseId, CancellationToken.None));

    private async Task RunAsync(Func<OperationActor, Task<OperationResult>> action)
    {
        busy = true;
        try
        {
            result = await action(await Operator.GetAsync());
        }
        finally
        {
            busy = false;
        }
    }
}
