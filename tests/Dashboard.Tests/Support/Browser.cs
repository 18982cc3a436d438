using System.Diagnostics;
using BatchOps.TestSupport;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// Headless Debian Chromium driven by Playwright (Playwright cannot download its own browsers here). Installs the
/// chromium package when it is missing, and fails loudly when it cannot. <c>BATCHOPS_CHROMIUM</c> names another binary
/// (a contributor's machine that is not Debian).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private const string DebianChromium = "/usr/bin/chromium";
    private static string Chromium => Environment.GetEnvironmentVariable("BATCHOPS_CHROMIUM") is { Length: > 0 } path ? path : DebianChromium;
    private readonly IPlaywright _playwright;

    private readonly Uri? _dashboard;

    private Browser(IPlaywright playwright, IBrowser browser, Uri? dashboard)
    {
        _playwright = playwright;
        Instance = browser;
        _dashboard = dashboard;
    }

    public IBrowser Instance { get; }

    /// <param name="dashboard">The dashboard new pages sign in to (through the sandbox's identity provider) before a test uses them.</param>
    public static async Task<Browser> LaunchAsync(Uri? dashboard = null)
    {
        await EnsureChromiumAsync();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root, without a sandbox; no background traffic (the machine's network is closed).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, browser, dashboard);
    }

    /// <param name="dark">Whether the browser prefers a dark colour scheme (the dashboard follows it by default).</param>
    /// <param name="user">The sandbox test user the page signs in as (operator, viewer, admin); null stays signed out.</param>
    public async Task<IPage> NewPageAsync(string timezone = "Europe/Berlin", bool dark = false, int width = 1440, string? user = "admin")
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 1000 },
            TimezoneId = timezone,
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
        });
        var page = await context.NewPageAsync();
        if (_dashboard is not null && user is not null)
        {
            await SignInAsync(page, _dashboard, user);
        }

        return page;
    }

    /// <summary>Signs in as a person does: the dashboard sends the browser to the provider's page, where the user is chosen.</summary>
    public static async Task SignInAsync(IPage page, Uri dashboard, string user)
    {
        await page.GotoAsync(new Uri(dashboard, "/signin?returnUrl=/healthz").ToString());
        // Back on the dashboard: at /healthz, or at /signin-failed saying why (then the test fails with that reason).
        var landing = new Uri(dashboard, "/healthz").ToString();
        var failed = new Uri(dashboard, "/signin-failed").ToString();
        // Waiting starts before the click: the redirects can land before a wait begun afterwards, which then waits
        // for a navigation that already happened.
        var landed = page.WaitForURLAsync(url => url.StartsWith(landing, StringComparison.Ordinal) || url.StartsWith(failed, StringComparison.Ordinal), new() { Timeout = 20_000, WaitUntil = WaitUntilState.Commit });
        await page.Locator($"a[data-user={user}]").ClickAsync();
        try
        {
            await landed;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Signing in as {user} did not come back to the dashboard within 20 s; the browser is at {page.Url}.", e);
        }

        if (!page.Url.StartsWith(landing, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Signing in as {user} was refused: {page.Url} {await page.Locator("body").TextContentAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }

    private static async Task EnsureChromiumAsync()
    {
        if (File.Exists(Chromium))
        {
            return;
        }

        if (Chromium != DebianChromium)
        {
            throw new InvalidOperationException($"BATCHOPS_CHROMIUM names {Chromium}, which does not exist.");
        }

        var script = Path.Combine(RepositoryPaths.Root, "tests", "scripts", "ensure-debian-package.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, "chromium", "chromium"]) { RedirectStandardError = true })!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(Chromium))
        {
            throw new InvalidOperationException($"Chromium is needed for the browser tests and could not be installed: {stderr}");
        }
    }
}
