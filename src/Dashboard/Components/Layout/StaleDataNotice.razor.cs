using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Components.Layout;

/// <summary>Tells the operator when what they see may be out of date, and since when (AWS throttling, outage, sandbox stopped).</summary>
public sealed partial class StaleDataNotice
{
    private SyncHealth? health;

    [Inject] public required ISyncHealth Health { get; init; }



    protected override async Task OnInitializedAsync()
    {
        // Staleness also comes from time passing without a good sync, which publishes nothing but the clock.
        Watch(ReadModelChangeKind.SyncStatus | ReadModelChangeKind.Clock, LoadAsync);
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken) => health = await Health.GetHealthAsync(cancellationToken);
}
