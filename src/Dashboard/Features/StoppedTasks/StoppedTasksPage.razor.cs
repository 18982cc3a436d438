using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;

namespace BatchOps.Dashboard.Features.StoppedTasks;

public sealed partial class StoppedTasksPage : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private StoppedTasksFilter filter = new();
    private StoppedTaskPage? result;
    private List<string> problems = [];
    private IDisposable? subscription;

    [Inject] public required StoppedTaskQueries Queries { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required ReadModelChanges Changes { get; init; }

    [CascadingParameter] public TimeSettings? Settings { get; set; }

    private TimeSettings TimeSettingsFor => Settings ?? TimeSettings.UtcDefault;

    protected override void OnInitialized() =>
        subscription = Changes.Subscribe(ReadModelChangeKind.StoppedTasks | ReadModelChangeKind.Executions, () => InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        }));

    protected override async Task OnParametersSetAsync()
    {
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        problems = [];
        filter = StoppedTasksFilter.Parse(query, problems);
        await LoadAsync();
    }

    private async Task LoadAsync() => result = await Queries.GetPageAsync(filter, disposed.Token);

    private void Go(Func<StoppedTasksFilter, StoppedTasksFilter> change) =>
        Navigation.NavigateTo(DashboardUrls.StoppedTasks(change(filter) with { Page = 1 }));

    public void Dispose()
    {
        subscription?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
