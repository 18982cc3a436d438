using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Components.Layout;

/// <summary>Tells the operator when what they see may be out of date, and since when (AWS throttling, outage, sandbox stopped).</summary>
public sealed partial class StaleDataNotice : IDisposable
{
    private SyncHealth? health;
    private IDisposable? subscription;
    private ITimer? timer;

    [Inject] public required SyncStatusStore Status { get; init; }
    [Inject] public required ReadModelChanges Changes { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    [CascadingParameter] public TimeSettings? Settings { get; set; }

    private TimeSettings TimeSettingsFor => Settings ?? TimeSettings.UtcDefault;

    protected override async Task OnInitializedAsync()
    {
        health = await Status.GetHealthAsync(CancellationToken.None);
        subscription = Changes.Subscribe(ReadModelChangeKind.SyncStatus, () => InvokeAsync(RefreshAsync));
        // Staleness also comes from time passing without a good sync, which publishes nothing.
        timer = Time.CreateTimer(_ => _ = InvokeAsync(RefreshAsync), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    private async Task RefreshAsync()
    {
        health = await Status.GetHealthAsync(CancellationToken.None);
        StateHasChanged();
    }

    public void Dispose()
    {
        subscription?.Dispose();
        timer?.Dispose();
    }
}
