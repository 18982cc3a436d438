using System.Security.Claims;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace BatchOps.Dashboard.Components.Layout;

public sealed partial class MainLayout
{
    private TimeSettings timeSettings = TimeSettings.UtcDefault;
    private string? browserZone;
    private bool interactive;

    [Inject] public required IJSRuntime JS { get; init; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        // The browser's zone is only known once the circuit is interactive; times render in UTC until then.
        browserZone = await JS.InvokeAsync<string>("batchops.timeZone");
        var utc = await JS.InvokeAsync<string?>("batchops.getPreference", "utc") == "true";
        timeSettings = TimeSettings.FromBrowser(browserZone, utc);
        interactive = true;
        StateHasChanged();
    }

    private async Task SetUtcAsync(bool utc)
    {
        timeSettings = TimeSettings.FromBrowser(browserZone, utc);
        await JS.InvokeVoidAsync("batchops.setPreference", "utc", utc ? "true" : "false");
    }

    private static string RoleText(ClaimsPrincipal user) =>
        string.Join(", ", new[] { BatchOpsRoles.Admin, BatchOpsRoles.Operator, BatchOpsRoles.Viewer }.Where(user.IsInRole));
}
