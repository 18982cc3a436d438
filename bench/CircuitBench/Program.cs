using System.Diagnostics.Tracing;
using System.Globalization;
using System.Security.Cryptography;
using BatchOps.Aws.StepFunctions;
using BatchOps.CircuitBench;
using BatchOps.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Playwright;

// Live updates under load. Starts the built dashboard in sandbox mode, opens N pages in headless Chromium (each a real
// Blazor circuit) and measures, from the dashboard's own /metrics:
//   1. server memory per idle circuit: a bare page's circuit (the framework and layout) and an Executions page's;
//   2. during a burst of executions the sync indexes: live refreshes per page per second, EF Core queries and server
//      CPU, once with every page unfiltered and once with every page filtered to a workflow the burst does not touch.
//   dotnet run -c Release --project bench/CircuitBench -- [--pages 100] [--burst 1000] [--chromium /usr/bin/chromium]
var pages = Option("--pages", 100);
var burst = Option("--burst", 1000);
var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
var readModel = Path.Combine(Path.GetTempPath(), $"batchops-circuit-bench-{Environment.ProcessId}.db");
using var dashboard = ChildProcess.Start("dotnet", [BuiltApps.Dll("Dashboard", "BatchOps.Dashboard"), "--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>
{
    // A build serves blazor.web.js through the development static web assets manifest (as `dotnet run` does).
    ["ASPNETCORE_ENVIRONMENT"] = "Development",
    ["Logging__LogLevel__Default"] = "Warning",
    ["Sandbox__SeedActivity"] = "false",
    ["Telemetry__MetricsToken"] = token,
    ["ReadModel__SqlitePath"] = readModel,
    ["ReadModel__ResetOnStart"] = "true",
});
await dashboard.WaitForOutputAsync(DashboardBanner.IsBanner, TimeSpan.FromSeconds(120));
var baseUrl = DashboardBanner.Dashboard(dashboard.StandardOutput);
var sandboxUrl = DashboardBanner.Sandbox(dashboard.StandardOutput) ?? throw new InvalidOperationException("The dashboard did not say where its sandbox listens.");
using var metrics = new MetricsScraper(new Uri(baseUrl, "/metrics"), token);
Console.WriteLine($"Circuit bench: {pages} pages, burst of {burst:N0} executions; dashboard pid {dashboard.Id} at {baseUrl}; {Environment.ProcessorCount} cores");

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = OptionText("--chromium") ?? "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding", "--disable-background-timer-throttling"],
});
await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
var signIn = await context.NewPageAsync();
await SignInAsync(signIn);

// 1. Memory per idle circuit. Each figure is the GC heap after a forced full collection, before and after opening the pages.
var before = await HeapAfterFullGcAsync();
var bare = await OpenAsync("/no-such-page", "bare page (Not found, in the layout)");
var withBare = await HeapAfterFullGcAsync();
await CloseAsync(bare);
var beforeExecutions = await HeapAfterFullGcAsync();
var open = await OpenAsync("/executions", "Executions page");
await Task.Delay(TimeSpan.FromSeconds(5));
var withExecutions = await HeapAfterFullGcAsync();
var bareEach = (withBare - before) / pages;
var executionsEach = (withExecutions - beforeExecutions) / pages;
Console.WriteLine();
Console.WriteLine($"Memory per idle circuit (GC heap after a full collection, {pages} circuits):");
Console.WriteLine($"  bare page circuit (framework, MudBlazor layout)   {bareEach / 1024.0,8:N0} KiB");
Console.WriteLine($"  Executions page circuit                           {executionsEach / 1024.0,8:N0} KiB");
Console.WriteLine($"  Executions page beyond the bare circuit           {(executionsEach - bareEach) / 1024.0,8:N0} KiB");
Console.WriteLine($"  (heap: {before / 1048576.0:N1} MiB, with bare pages {withBare / 1048576.0:N1} MiB; {beforeExecutions / 1048576.0:N1} MiB, with Executions pages {withExecutions / 1048576.0:N1} MiB)");

var idle = await metrics.ScrapeAsync();
await Task.Delay(TimeSpan.FromSeconds(10));
var idleAfter = await metrics.ScrapeAsync();
Console.WriteLine($"  idle CPU with {pages} open pages: {(idleAfter.CpuSeconds - idle.CpuSeconds) / 10 * 100:0.0} % of one core");

// 2. Bursts: every page unfiltered (each burst page affects it), then every page filtered to another workflow.
using var clients = new BurstClients(sandboxUrl);
var machine = await clients.CreateWorkflowAsync("bench-burst");
Console.WriteLine();
Console.WriteLine($"Burst of {burst:N0} executions of a one-state workflow, started through the sandbox's API; the window runs from the first start until the sync has indexed every one as finished, and 20 s more (history passes).");
Console.WriteLine($"{"pages",-38} {"window s",8} {"refreshes",9} {"/page/s",8} {"max /page/s",11} {"EF queries",10} {"CPU s",6} {"CPU %",6}");
await BurstAsync("unfiltered (burst affects them)", "a");
await NavigateAllAsync("/executions?workflow=nightly-batch");
await BurstAsync("filtered to nightly-batch (not affected)", "b");
await CloseAsync(open);
return 0;

async Task BurstAsync(string label, string round)
{
    var samples = new List<MetricsScraper.Sample> { await metrics.ScrapeAsync() };
    var started = DateTimeOffset.UtcNow;
    var starting = clients.StartAsync(machine, burst, round);
    while (true)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        samples.Add(await metrics.ScrapeAsync());
        if (starting.IsCompleted && await SyncedAsync(round) == burst)
        {
            // The history sync keeps publishing for a while (25 histories a pass): part of the burst too.
            for (var i = 0; i < 20; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                samples.Add(await metrics.ScrapeAsync());
            }

            break;
        }

        if (DateTimeOffset.UtcNow - started > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"The sync had not indexed the {burst} executions of round {round} as finished within 5 minutes (indexed: {await SyncedAsync(round)}).");
        }
    }

    await starting;
    var first = samples[0];
    var last = samples[^1];
    var seconds = (last.At - first.At).TotalSeconds;
    var refreshes = last.ExecutionsRefreshes - first.ExecutionsRefreshes;
    var maxPerSecond = samples.Zip(samples.Skip(1), (a, b) => (b.ExecutionsRefreshes - a.ExecutionsRefreshes) / (b.At - a.At).TotalSeconds).Max() / pages;
    var cpu = last.CpuSeconds - first.CpuSeconds;
    Console.WriteLine($"{label,-38} {seconds,8:0.0} {refreshes,9:N0} {refreshes / pages / seconds,8:0.00} {maxPerSecond,11:0.00} {last.EfQueries - first.EfQueries,10:N0} {cpu,6:0.0} {cpu / seconds * 100,6:0}");
}

async Task<int> SyncedAsync(string round)
{
    // Read-only, beside the dashboard's writer (WAL): executions of this round indexed as finished.
    await using var connection = new SqliteConnection($"Data Source={readModel};Mode=ReadOnly");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = """SELECT COUNT(*) FROM "executions" WHERE "StateMachineName" = 'bench-burst' AND "Name" LIKE $round AND "Status" <> 'RUNNING'""";
    command.Parameters.AddWithValue("$round", $"{round}-%");
    return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

async Task<long> HeapAfterFullGcAsync()
{
    var gen2 = (await metrics.ScrapeAsync()).Gen2Collections;
    // An EventPipe session with the GCHeapCollect keyword makes the runtime collect fully and at once (dotnet-gcdump's way).
    var client = new DiagnosticsClient(dashboard.Id);
    using (var session = client.StartEventPipeSession(new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x1 | 0x800000), requestRundown: false))
    {
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        MetricsScraper.Sample sample;
        while ((sample = await metrics.ScrapeAsync()).Gen2Collections <= gen2)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"No full collection within 30 s of asking for one (gen2 collections still {gen2}).");
            }

            await Task.Delay(200);
        }

        await session.StopAsync(CancellationToken.None);
        await drain;
        return sample.HeapBytes;
    }
}

async Task<List<IPage>> OpenAsync(string path, string what)
{
    var opened = new List<IPage>();
    var start = DateTimeOffset.UtcNow;
    for (var i = 0; i < pages; i++)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(baseUrl, path).ToString());
        await WaitInteractiveAsync(page, path);
        opened.Add(page);
    }

    var subscriptions = (await metrics.ScrapeAsync()).Subscriptions;
    Console.WriteLine($"Opened {pages} × {what} in {(DateTimeOffset.UtcNow - start).TotalSeconds:0} s; {subscriptions} live subscriptions on the server");
    return opened;
}

async Task NavigateAllAsync(string path)
{
    foreach (var page in open)
    {
        await page.GotoAsync(new Uri(baseUrl, path).ToString());
        await WaitInteractiveAsync(page, path);
    }

    // Let the circuits of the pages navigated away from go, so the next burst measures only the filtered ones.
    await Task.Delay(TimeSpan.FromSeconds(5));
}

static async Task WaitInteractiveAsync(IPage page, string path)
{
    try
    {
        await page.Locator("#interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
    }
    catch (TimeoutException e)
    {
        throw new TimeoutException($"{path} did not become interactive (no #interactive) within 60 s; the tab is at {page.Url}.", e);
    }
}

static async Task CloseAsync(List<IPage> opened)
{
    foreach (var page in opened)
    {
        // With unload handlers, so blazor.web.js tells the server the circuit is gone (it would otherwise be kept for reconnection).
        await page.CloseAsync(new() { RunBeforeUnload = true });
    }

    await Task.Delay(TimeSpan.FromSeconds(5));
}

async Task SignInAsync(IPage page)
{
    var landing = new Uri(baseUrl, "/healthz").ToString();
    await page.GotoAsync(new Uri(baseUrl, "/signin?returnUrl=/healthz").ToString());
    var landed = page.WaitForURLAsync(url => url.StartsWith(landing, StringComparison.Ordinal), new() { Timeout = 30_000, WaitUntil = WaitUntilState.Commit });
    await page.Locator("a[data-user=operator]").ClickAsync();
    await landed;
}

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
