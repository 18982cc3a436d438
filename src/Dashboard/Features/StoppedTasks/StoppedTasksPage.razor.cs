using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.StoppedTasks;

public sealed partial class StoppedTasksPage
{
    private StoppedTasksFilter filter = new();
    private StoppedTaskPage? result;
    private List<string> problems = [];

    [Inject] public required IStoppedTaskQueries Queries { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }


    [SupplyParameterFromQuery(Name = "reason")] public string? Reason { get; set; }
    [SupplyParameterFromQuery(Name = "exit")] public string? Exit { get; set; }
    [SupplyParameterFromQuery(Name = "family")] public string? Family { get; set; }
    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public string? PageNumber { get; set; }
    [SupplyParameterFromQuery(Name = "size")] public string? PageSizeText { get; set; }


    protected override void OnInitialized()
    {
        Watch(ReadModelChangeKind.StoppedTasks | ReadModelChangeKind.Executions, LoadAsync);
        Watch(ReadModelChangeKind.Clock, _ => Task.CompletedTask);
    }

    protected override async Task OnParametersSetAsync()
    {
        problems = [];
        filter = StoppedTasksFilter.Parse(
            new Dictionary<string, string?>
            {
                ["reason"] = Reason, ["exit"] = Exit, ["family"] = Family, ["range"] = Range, ["from"] = From, ["to"] = To,
                ["page"] = PageNumber, ["size"] = PageSizeText,
            },
            problems);
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken) => result = await Queries.GetPageAsync(filter, cancellationToken);

    private void Go(Func<StoppedTasksFilter, StoppedTasksFilter> change) =>
        Navigation.NavigateTo(DashboardUrls.StoppedTasks(change(filter) with { Page = 1 }));
}
