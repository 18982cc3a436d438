using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

// Times a dashboard page in headless Chromium, as an operator opening a link sees it: from navigation to the first
// row on screen, and to the page being interactive (Blazor's circuit connected). Prints median and p95.
//   dotnet run -c Release --project bench/PageBench -- <page URL> [--runs 30] [--ready "[data-execution]"] [--chromium /usr/bin/chromium]
// Run it against a dashboard already serving (e.g. `dotnet run --project src/Dashboard`), after its sandbox activity settled.
if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine("usage: PageBench <page URL> [--runs 30] [--ready <selector>] [--chromium <path>]");
    return 2;
}

var url = args[0];
var runs = int.Parse(Option("--runs") ?? "30", CultureInfo.InvariantCulture);
var ready = Option("--ready") ?? "[data-execution]";
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = Option("--chromium") ?? "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

var documents = new List<double>();
var firstRows = new List<double>();
var interactive = new List<double>();
for (var i = 0; i < runs + 3; i++)
{
    // A fresh context per run: no cache, signs in again, like a link opened from a chat.
    await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
    var page = await context.NewPageAsync();
    // Sign in first (the sandbox provider's operator), so the timed navigation is the page itself.
    var landing = new Uri(new Uri(url), "/healthz").ToString();
    await page.GotoAsync(new Uri(new Uri(url), "/signin?returnUrl=/healthz").ToString());
    var landed = page.WaitForURLAsync(u => u.StartsWith(landing, StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
    await page.Locator("a[data-user=operator]").ClickAsync();
    await landed;
    var watch = Stopwatch.StartNew();
    await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Commit });
    // The server's answer to the document: its prerender (read, models, HTML), as the browser timed it.
    var answered = await page.EvaluateAsync<double>("() => { const n = performance.getEntriesByType('navigation')[0]; return n.responseStart - n.requestStart; }");
    await page.Locator(ready).First.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
    var rows = watch.Elapsed.TotalMilliseconds;
    await page.Locator("#interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
    var live = watch.Elapsed.TotalMilliseconds;
    if (i >= 3)
    {
        documents.Add(answered);
        firstRows.Add(rows);
        interactive.Add(live);
    }
}

Console.WriteLine($"{url}: {runs} runs after 3 warm-up runs, {Environment.ProcessorCount} cores");
Console.WriteLine($"  document answered   median {Percentile(documents, 50):0.0} ms   p95 {Percentile(documents, 95):0.0} ms");
Console.WriteLine($"  first row visible   median {Percentile(firstRows, 50):0.0} ms   p95 {Percentile(firstRows, 95):0.0} ms");
Console.WriteLine($"  interactive         median {Percentile(interactive, 50):0.0} ms   p95 {Percentile(interactive, 95):0.0} ms");
return 0;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static double Percentile(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
