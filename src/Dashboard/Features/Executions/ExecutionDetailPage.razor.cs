using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Executions;

public sealed partial class ExecutionDetailPage
{
    [Parameter] public required string Arn { get; set; }

    [Inject] public required ExecutionDetailViewModel ViewModel { get; init; }

    protected override void OnInitialized() =>
        Watch(ReadModelChangeKind.Executions | ReadModelChangeKind.StoppedTasks | ReadModelChangeKind.Clock, ct => ViewModel.LoadAsync(Arn, ct));

    /// <summary>
    /// Each ARN the page shows (a parent, child or re-run link lands here with a new one) is read from the read model at
    /// once and then refreshed from AWS, once the circuit is interactive (not while prerendering).
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        var arn = Arn;
        var isNew = ViewModel.Arn != arn;
        await ViewModel.LoadAsync(arn, Disposing);
        if (isNew && RendererInfo.IsInteractive)
        {
            _ = RefreshFromAwsAsync(arn);
        }
    }

    private async Task RefreshFromAwsAsync(string arn)
    {
        var refreshing = ViewModel.RefreshFromAwsAsync(arn, Disposing);
        await InvokeAsync(StateHasChanged);
        try
        {
            await refreshing;
        }
        catch (OperationCanceledException) when (Disposing.IsCancellationRequested)
        {
            return;
        }

        await InvokeAsync(StateHasChanged);
    }

    protected override bool ShouldRefresh(ReadModelChangeKind kinds) => !ViewModel.Refreshing;
}
