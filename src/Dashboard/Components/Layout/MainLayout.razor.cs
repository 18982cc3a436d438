using System.Security.Claims;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace BatchOps.Dashboard.Components.Layout;

public sealed partial class MainLayout
{
    private TimeSettings timeSettings = TimeSettings.UtcDefault;
    private string? browserZone;
    private bool interactive;
    private bool drawerOpen = true;
    private bool darkMode;
    private ThemeChoice themeChoice = ThemeChoice.System;
    private MudThemeProvider? themeProvider;

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    private string ThemeIcon => themeChoice switch
    {
        ThemeChoice.Light => Icons.Material.Filled.LightMode,
        ThemeChoice.Dark => Icons.Material.Filled.DarkMode,
        _ => Icons.Material.Filled.BrightnessAuto,
    };

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        // The browser's zone and preferences are only known once the circuit is interactive (one round trip); until
        // then, UTC and light.
        var preferences = await JS.InvokeAsync<BrowserPreferences>("batchops.preferences");
        browserZone = preferences.TimeZone;
        timeSettings = TimeSettings.FromBrowser(browserZone, preferences.Utc);
        themeChoice = Enum.TryParse<ThemeChoice>(preferences.Theme, out var saved) ? saved : ThemeChoice.System;
        darkMode = themeChoice switch
        {
            ThemeChoice.Dark => true,
            ThemeChoice.Light => false,
            _ => preferences.SystemDark,
        };
        interactive = true;
        StateHasChanged();
    }

    private async Task SetUtcAsync(bool utc)
    {
        timeSettings = TimeSettings.FromBrowser(browserZone, utc);
        await JS.InvokeVoidAsync("batchops.setPreference", "utc", utc ? "true" : "false");
    }

    private async Task SetThemeAsync(ThemeChoice choice)
    {
        themeChoice = choice;
        darkMode = await IsDarkAsync(choice);
        await JS.InvokeVoidAsync("batchops.setPreference", "theme", choice.ToString());
    }

    private async Task<bool> IsDarkAsync(ThemeChoice choice) => choice switch
    {
        ThemeChoice.Dark => true,
        ThemeChoice.Light => false,
        _ => themeProvider is not null && await themeProvider.GetSystemDarkModeAsync(),
    };

    private static string ThemeLabel(ThemeChoice choice) => choice switch
    {
        ThemeChoice.Light => "Light",
        ThemeChoice.Dark => "Dark",
        _ => "Follow the system",
    };

    private string ReturnUrl => "/" + Navigation.ToBaseRelativePath(Navigation.Uri);

    private static string RoleText(ClaimsPrincipal user) =>
        string.Join(", ", new[] { BatchOpsRoles.Admin, BatchOpsRoles.Operator, BatchOpsRoles.Viewer }.Where(user.IsInRole));
}

/// <summary>What the browser says once the circuit is interactive (app.js, batchops.preferences).</summary>
public sealed record BrowserPreferences(string TimeZone, bool Utc, string? Theme, bool SystemDark);
