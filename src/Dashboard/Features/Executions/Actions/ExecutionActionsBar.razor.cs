using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace BatchOps.Dashboard.Features.Executions.Actions;

public sealed partial class ExecutionActionsBar
{
    private OperationResult? result;
    private IReadOnlyList<OperationView> operations = [];
    private bool busy;

    [Parameter, EditorRequired] public required ExecutionSummaryModel Summary { get; set; }

    [Inject] public required ExecutionActions Actions { get; init; }
    [Inject] public required OperationQueries Queries { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }
    [Inject] public required IDialogService Dialogs { get; init; }

    private string? shownFor;

    protected override async Task OnParametersSetAsync()
    {
        if (shownFor != Summary.Arn)
        {
            // Another execution (a link was followed): forget the last one's outcome.
            result = null;
            shownFor = Summary.Arn;
        }

        operations = await Queries.ForExecutionAsync(Summary.Arn, CancellationToken.None);
    }

    private async Task RedriveAsync() => await RunAsync(async actor => await Actions.RedriveAsync(actor, Summary.Arn, CancellationToken.None));

    private async Task StopAsync()
    {
        var dialog = await Dialogs.ShowAsync<StopDialog>($"Stop {Summary.Name}", new DialogParameters<StopDialog> { { d => d.ExecutionArn, Summary.Arn } }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: OperationResult done })
        {
            result = done;
            operations = await Queries.ForExecutionAsync(Summary.Arn, CancellationToken.None);
        }
    }

    private async Task RescueAsync()
    {
        var dialog = await Dialogs.ShowAsync<CallbackDialog>($"Answer the callback of {Summary.Name}", new DialogParameters<CallbackDialog> { { d => d.ExecutionArn, Summary.Arn } }, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: OperationResult done })
        {
            result = done;
            operations = await Queries.ForExecutionAsync(Summary.Arn, CancellationToken.None);
        }
    }

    private async Task RunAsync(Func<OperationActor, Task<OperationResult>> action)
    {
        busy = true;
        try
        {
            result = await action(await Operator.GetAsync());
            operations = await Queries.ForExecutionAsync(Summary.Arn, CancellationToken.None);
        }
        finally
        {
            busy = false;
        }
    }
}
