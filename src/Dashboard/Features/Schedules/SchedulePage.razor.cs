using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>One schedule: what it runs and when, whether its recent fire times really ran, its changes, and the actions on it.</summary>
public sealed partial class SchedulePage
{
    private ScheduleDetail? detail;
    private bool loaded;
    private bool busy;
    private OperationResult? result;

    [Parameter] public required string Group { get; set; }
    [Parameter] public required string Name { get; set; }

    [Inject] public required ScheduleQueries Queries { get; init; }
    [Inject] public required ScheduleActions Actions { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }
    [Inject] public required IDialogService Dialogs { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required IOptions<ScheduleOptions> Options { get; init; }

    protected override void OnInitialized()
    {
        Watch(ReadModelChangeKind.Schedules | ReadModelChangeKind.Executions | ReadModelChangeKind.Operations, LoadAsync);
        Watch(ReadModelChangeKind.Clock, LoadAsync);
    }

    protected override async Task OnParametersSetAsync()
    {
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        detail = await Queries.GetAsync(Group, Name, cancellationToken);
        loaded = true;
    }

    private Task RunNowAsync() => RunAsync(async actor => await Actions.RunNowAsync(actor, Group, Name, null, CancellationToken.None));

    private Task SetStateAsync(bool enabled) =>
        RunAsync(async actor => await Actions.SetStateAsync(actor, Group, Name, enabled, detail?.Definition.LastModificationDate, CancellationToken.None));

    private Task RestoreAsync(long operationId, bool before) => RunAsync(async actor => await Actions.RestoreVersionAsync(actor, operationId, before, CancellationToken.None));

    private async Task DeleteAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync($"Delete {Name}?", $"EventBridge Scheduler stops running it at once. The ledger keeps its last version: it can be restored from the Audit page's operation.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed == true)
        {
            await RunAsync(async actor => await Actions.DeleteAsync(actor, Group, Name, CancellationToken.None));
        }
    }

    private async Task RunAsync(Func<OperationActor, Task<OperationResult>> action)
    {
        busy = true;
        try
        {
            result = await action(await Operator.GetAsync());
            await LoadAsync(Disposing);
        }
        finally
        {
            busy = false;
        }
    }
}
