using System.Globalization;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;

namespace BatchOps.Dashboard.Features.Executions;

public sealed partial class ExecutionsPage : IDisposable
{
    private static readonly TimeSpan SearchDebounce = TimeSpan.FromMilliseconds(350);
    private static readonly TimeSpan RefreshTick = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource disposed = new();
    private IDisposable? subscription;
    private ITimer? timer;
    private CancellationTokenSource? searchDebounce;
    private string? searchText;
    private bool autoRefresh = true;
    private volatile bool changed;
    private int ticks;

    [Inject] public required ExecutionsViewModel ViewModel { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required ReadModelChanges Changes { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    [CascadingParameter] public TimeSettings? Settings { get; set; }

    private TimeSettings TimeSettingsFor => Settings ?? TimeSettings.UtcDefault;

    protected override void OnInitialized()
    {
        subscription = Changes.Subscribe(ReadModelChangeKind.Executions, () =>
        {
            changed = true;
            return Task.CompletedTask;
        });
        timer = Time.CreateTimer(_ => _ = InvokeAsync(OnTickAsync), null, RefreshTick, RefreshTick);
    }

    protected override async Task OnParametersSetAsync()
    {
        // The URL is the filter: every change navigates, and navigation lands here.
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        ViewModel.SetQuery(query);
        searchText = ViewModel.Filter.Search;
        await ViewModel.LoadAsync(disposed.Token);
    }

    /// <summary>Reloads when the sync changed something (auto-refresh), and re-renders relative times now and then.</summary>
    private async Task OnTickAsync()
    {
        ticks++;
        if ((autoRefresh && changed) || ticks % 15 == 0)
        {
            changed = false;
            if (autoRefresh)
            {
                await ViewModel.LoadAsync(disposed.Token);
            }

            StateHasChanged();
        }
    }

    private void Go(Func<ExecutionsFilter, ExecutionsFilter> change) =>
        Navigation.NavigateTo(DashboardUrls.Executions(ViewModel.With(change)));

    private async Task OnSearchInput(ChangeEventArgs e)
    {
        searchText = e.Value as string;
        searchDebounce?.Cancel();
        searchDebounce?.Dispose();
        searchDebounce = CancellationTokenSource.CreateLinkedTokenSource(disposed.Token);
        try
        {
            await Task.Delay(SearchDebounce, searchDebounce.Token);
            ApplySearchNow();
        }
        catch (OperationCanceledException)
        {
            // A newer keystroke replaced this one.
        }
    }

    private void ApplySearchNow()
    {
        var search = string.IsNullOrWhiteSpace(searchText) ? null : searchText.Trim();
        if (search != ViewModel.Filter.Search)
        {
            Navigation.NavigateTo(DashboardUrls.Executions(ViewModel.With(f => f with { Search = search })), replace: true);
        }
    }

    private async Task ToggleAutoRefresh(ChangeEventArgs e)
    {
        autoRefresh = e.Value is true;
        if (autoRefresh)
        {
            await ViewModel.LoadAsync(disposed.Token);
        }
    }

    private string SortHref(string key) => DashboardUrls.Executions(ViewModel.SortedBy(key));

    private string SortMark(string key) => ViewModel.Filter.Sort != key ? "" : ViewModel.Filter.Descending ? " ▾" : " ▴";

    private static string? Empty(object? value) => value is string s && s.Length > 0 ? s : null;

    private static StopReasonClass? ParseReason(object? value) =>
        value is string s && Enum.TryParse<StopReasonClass>(s, out var r) ? r : null;

    private string? LocalInput(DateTimeOffset? value) =>
        value is { } v ? TimeZoneInfo.ConvertTime(v, TimeSettingsFor.Effective).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : null;

    /// <summary>datetime-local has no zone: it is read in the zone the page shows times in.</summary>
    private DateTimeOffset? FromLocalInput(object? value)
    {
        if (value is not string s || !DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var zone = TimeSettingsFor.Effective;
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public void Dispose()
    {
        subscription?.Dispose();
        timer?.Dispose();
        searchDebounce?.Cancel();
        searchDebounce?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
