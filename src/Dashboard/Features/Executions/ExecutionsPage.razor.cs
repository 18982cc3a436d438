using System.Globalization;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Executions.Actions;
using BatchOps.Dashboard.Features.Operations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace BatchOps.Dashboard.Features.Executions;

public sealed partial class ExecutionsPage
{
    private string? searchText;
    private bool autoRefresh = true;
    private HashSet<ExecutionRow> selected = [];
    private bool canOperate;

    [Inject] public required ExecutionsViewModel ViewModel { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required IAuthorizationService Authorization { get; init; }
    [Inject] public required IDialogService Dialogs { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }


    // The URL is the filter (ExecutionsFilter's names): every change navigates, and navigation lands in OnParametersSetAsync.
    [SupplyParameterFromQuery(Name = "workflow")] public string? Workflow { get; set; }
    [SupplyParameterFromQuery(Name = "status")] public string? Status { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? Search { get; set; }
    [SupplyParameterFromQuery(Name = "reason")] public string? Reason { get; set; }
    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? Sort { get; set; }
    [SupplyParameterFromQuery(Name = "dir")] public string? Dir { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public string? PageNumber { get; set; }
    [SupplyParameterFromQuery(Name = "size")] public string? PageSizeText { get; set; }

    private ExecutionsFilter Filter => ViewModel.Filter;


    protected override void OnInitialized()
    {
        // A page filtered to one workflow does not query again when only other workflows changed.
        Watch(ReadModelChangeKind.Executions, ViewModel.LoadAsync, workflows => ViewModel.Filter.Workflow is not { } shown || workflows.Contains(shown));
        // Relative times ("3 min ago") move with the clock; nothing to reload.
        Watch(ReadModelChangeKind.Clock, _ => Task.CompletedTask);
    }

    /// <summary>The current filter as the Executions URL's query string, which a bulk action over "all matching" takes.</summary>
    private string FilterQuery => string.Join('&', Filter.ToQuery().Where(p => p.Key is not ("page" or "size" or "sort" or "dir")).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    private async Task BulkAsync(BulkRequest request)
    {
        var title = request.Action == "stop" ? "Stop executions" : "Redrive executions";
        var dialog = await Dialogs.ShowAsync<BulkDialog>(title, new DialogParameters<BulkDialog> { { d => d.Request, request } }, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: OperationResult { Operation: { } operation } })
        {
            Navigation.NavigateTo(DashboardUrls.Operation(operation.Id));
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        // Selecting rows is for those who may act on them; the actions check the role again on the server. Here, not
        // once at start: a session check that changes the user's roles hands the page a new authentication state.
        canOperate = Authentication is not null && (await Authorization.AuthorizeAsync((await Authentication).User, BatchOpsPolicies.Operate)).Succeeded;

        ViewModel.SetQuery(new Dictionary<string, string?>
        {
            ["workflow"] = Workflow, ["status"] = Status, ["q"] = Search, ["reason"] = Reason, ["range"] = Range, ["from"] = From,
            ["to"] = To, ["sort"] = Sort, ["dir"] = Dir, ["page"] = PageNumber, ["size"] = PageSizeText,
        });
        searchText = Filter.Search;
        await ViewModel.LoadAsync(Disposing);
    }

    protected override bool ShouldRefresh(ReadModelChangeKind kinds) => autoRefresh || kinds == ReadModelChangeKind.Clock;

    private async Task OnAutoRefreshChanged()
    {
        if (autoRefresh)
        {
            await ViewModel.LoadAsync(Disposing);
        }
    }

    private void Go(Func<ExecutionsFilter, ExecutionsFilter> change) =>
        Navigation.NavigateTo(DashboardUrls.Executions(ViewModel.With(change)));

    /// <summary>Debounced by the field: typing replaces the history entry instead of adding one per pause.</summary>
    private void OnSearchChanged(string? text)
    {
        searchText = text;
        var search = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (search != Filter.Search)
        {
            Navigation.NavigateTo(DashboardUrls.Executions(ViewModel.With(f => f with { Search = search })), replace: true);
        }
    }

    /// <summary>The active filters in words, for the moment before the filter controls are live.</summary>
    private string FilterSummary
    {
        get
        {
            var parts = new List<string>();
            if (Filter.Workflow is { } w) parts.Add($"workflow {w}");
            if (Filter.Status is { } s) parts.Add($"status {s.Replace('_', ' ')}");
            if (Filter.Reason is { } r) parts.Add($"stopped reason {StopReasonTable.Label(r)}");
            if (Filter.Range is { } range) parts.Add($"started in the last {range}");
            if (Filter.From is { } from) parts.Add($"started from {TimeSettingsFor.Absolute(from)}");
            if (Filter.To is { } to) parts.Add($"started until {TimeSettingsFor.Absolute(to)}");
            if (Filter.Search is { } q) parts.Add($"name contains \"{q}\"");
            return parts.Count == 0 ? "All executions. Filters load in a moment…" : "Filtered by " + string.Join(", ", parts) + ". Filters load in a moment…";
        }
    }

    private string SortHref(string key) => DashboardUrls.Executions(ViewModel.SortedBy(key));

    private string Duration(ExecutionRow row) =>
        row.StopDate is { } stop ? TimeSettings.Duration(stop - row.StartDate)
        : row.Status == ExecutionStatus.RUNNING ? TimeSettings.Duration(Time.GetUtcNow() - row.StartDate) + " so far"
        : "—";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static StopReasonClass? ParseReason(string? value) =>
        Enum.TryParse<StopReasonClass>(value, out var r) ? r : null;

    private string? LocalInput(DateTimeOffset? value) =>
        value is { } v ? TimeZoneInfo.ConvertTime(v, TimeSettingsFor.Effective).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : null;

    /// <summary>datetime-local has no zone: it is read in the zone the page shows times in.</summary>
    private DateTimeOffset? FromLocalInput(string? value)
    {
        if (value is null || !DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var zone = TimeSettingsFor.Effective;
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
