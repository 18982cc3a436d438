using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Executions;

public sealed partial class ExecutionDetailPage : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IDisposable? subscription;
    private volatile bool changed;
    private ITimer? timer;

    [Parameter] public required string Arn { get; set; }

    [Inject] public required ExecutionDetailViewModel ViewModel { get; init; }
    [Inject] public required ReadModelChanges Changes { get; init; }
    [Inject] public required DashboardModeInfo Mode { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    [CascadingParameter] public TimeSettings? Settings { get; set; }

    private TimeSettings TimeSettingsFor => Settings ?? TimeSettings.UtcDefault;

    protected override void OnInitialized()
    {
        subscription = Changes.Subscribe(ReadModelChangeKind.Executions | ReadModelChangeKind.StoppedTasks, () =>
        {
            changed = true;
            return Task.CompletedTask;
        });
        timer = Time.CreateTimer(_ => _ = InvokeAsync(OnTickAsync), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    protected override async Task OnParametersSetAsync()
    {
        await ViewModel.LoadAsync(Arn, disposed.Token);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Opening an execution refreshes it from AWS; done after the first interactive render so the page shows at once.
        if (firstRender)
        {
            var refreshing = ViewModel.RefreshFromAwsAsync(disposed.Token);
            StateHasChanged();
            await refreshing;
            StateHasChanged();
        }
    }

    private async Task OnTickAsync()
    {
        if (changed && !ViewModel.Refreshing)
        {
            changed = false;
            await ViewModel.LoadAsync(Arn, disposed.Token);
            StateHasChanged();
        }
    }

    private void OnEventSearch(ChangeEventArgs e)
    {
        ViewModel.EventSearch = e.Value as string ?? "";
        ViewModel.EventsPage = 1;
    }

    private static string AttemptCss(TaskRunRecord run) => run.Outcome switch
    {
        TaskRunOutcome.Succeeded => "tl-succeeded",
        TaskRunOutcome.Running => "tl-running",
        _ => "tl-failed",
    };

    /// <summary>One line per event: the error, the resource or the state, whichever tells most.</summary>
    private static string? EventSummary(HistoryEvent e) =>
        e.TaskFailedEventDetails is { } failed ? Join(failed.Error, Short(failed.Cause))
        : e.ExecutionFailedEventDetails is { } ef ? Join(ef.Error, Short(ef.Cause))
        : e.TaskTimedOutEventDetails is { } timedOut ? Join(timedOut.Error, Short(timedOut.Cause))
        : e.TaskScheduledEventDetails is { } scheduled ? $"{scheduled.ResourceType}:{scheduled.Resource}"
        : e.ExecutionRedrivenEventDetails is { } redriven ? $"redrive {redriven.RedriveCount}"
        : e.TaskSubmittedEventDetails is not null ? "submitted"
        : null;

    private static string? Join(string? error, string? cause) => cause is null ? error : $"{error}: {cause}";

    private static string? Short(string? text) => text is { Length: > 300 } ? text[..300] + "…" : text;

    public void Dispose()
    {
        subscription?.Dispose();
        timer?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
