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

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public IBrowser Instance { get; }

    public static async Task<Browser> LaunchAsync()
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
        return new Browser(playwright, browser);
    }

    /// <param name="dark">Whether the browser prefers a dark colour scheme (the dashboard follows it by default).</param>
    public async Task<IPage> NewPageAsync(string timezone = "Europe/Berlin", bool dark = false, int width = 1440)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 1000 },
            TimezoneId = timezone,
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
        });
        return await context.NewPageAsync();
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
