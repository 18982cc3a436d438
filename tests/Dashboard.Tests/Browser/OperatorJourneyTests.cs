using System.Text.RegularExpressions;
using BatchOps.TestSupport;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>What an on-call operator does first, in Chromium against the running dashboard.</summary>
[Collection(SandboxDashboardCollection.Name)]
public sealed partial class OperatorJourneyTests(SandboxDashboardFixture fixture)
{
    private static readonly PageAssertionsToHaveURLOptions Wait = new() { Timeout = 15_000 };

    [Fact]
    public async Task An_operator_filters_to_a_failed_execution_and_reads_why_each_attempt_stopped()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Dashboard.BaseUrl, "/executions").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Executions" })).ToBeVisibleAsync();
        await WaitInteractiveAsync(page);

        await page.SelectOptionAsync("#f-workflow", "batch-job");
        await Assertions.Expect(page).ToHaveURLAsync(WorkflowInUrl(), Wait);
        await page.SelectOptionAsync("#f-status", "FAILED");
        await Assertions.Expect(page).ToHaveURLAsync(StatusInUrl(), Wait);
        await page.FillAsync("#f-search", "sync-inv");
        await Assertions.Expect(page).ToHaveURLAsync(SearchInUrl(), Wait);

        var rows = page.Locator("tr[data-execution]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("FAILED");
        await rows.First.GetByRole(AriaRole.Link).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retry history" })).ToBeVisibleAsync();
        var attempts = page.Locator("[data-testid=attempt][data-state='Run worker']");
        await Assertions.Expect(attempts).ToHaveCountAsync(3);
        var last = attempts.Nth(2);
        await Assertions.Expect(last.Locator("[data-testid=exit-code]")).ToHaveTextAsync("2");
        await Assertions.Expect(last.Locator("[data-testid=stop-code]")).ToHaveTextAsync("EssentialContainerExited");
        await Assertions.Expect(last.Locator("[data-testid=stopped-reason]")).ToContainTextAsync("Essential container in task exited");
        await Assertions.Expect(last).ToContainTextAsync("Application exit · retryable");
        // The backoff between attempts is shown (its exact values are checked on a manual clock in WorkflowSyncTests;
        // this sandbox runs a 10× real-time clock).
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync(WaitedBeforeAttempt(2));
        await Assertions.Expect(attempts.Nth(1)).ToContainTextAsync(WaitedBeforeAttempt(3));
        await Assertions.Expect(page.Locator("[data-testid=execution-error]")).ToHaveTextAsync("States.TaskFailed");
        await Assertions.Expect(page.Locator("[data-testid=ecs-tasks] tbody tr")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_pasted_link_restores_the_same_filters_sort_and_rows()
    {
        // A colleague's link, opened in a fresh browser session (signs in again, then lands on the same list).
        var page = await fixture.Browser.NewPageAsync(timezone: "Asia/Tokyo");
        await page.GotoAsync(new Uri(fixture.Dashboard.BaseUrl, "/executions?workflow=batch-job&status=FAILED&q=sync&sort=name&dir=asc").ToString());
        await WaitInteractiveAsync(page);

        await Assertions.Expect(page.Locator("#f-workflow")).ToHaveValueAsync("batch-job");
        await Assertions.Expect(page.Locator("#f-status")).ToHaveValueAsync("FAILED");
        await Assertions.Expect(page.Locator("#f-search")).ToHaveValueAsync("sync");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Name ▴" })).ToBeVisibleAsync();
        var rows = page.Locator("tr[data-execution]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-execution", SyncInventory());
        Assert.EndsWith("/executions?workflow=batch-job&status=FAILED&q=sync&sort=name&dir=asc", page.Url, StringComparison.Ordinal);
        // Times follow the browser's zone once the circuit is interactive.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Started (Asia/Tokyo)" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Screenshots_of_every_page_show_the_sandbox_executions()
    {
        var directory = Environment.GetEnvironmentVariable("BATCHOPS_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured, RepositoryPaths.Root)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var page = await fixture.Browser.NewPageAsync(timezone: "UTC");

        await ShootAsync(page, "/", "overview.png", page.Locator("[data-testid=failures]"));
        await ShootAsync(page, "/executions", "executions.png", page.Locator("tr[data-execution]").First);
        await page.GotoAsync(new Uri(fixture.Dashboard.BaseUrl, "/executions?q=export-orders").ToString());
        await page.Locator("tr[data-execution] a").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=attempt]").First).ToContainTextAsync("Image pull");
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "execution-detail.png"), FullPage = true });
        await ShootAsync(page, "/stopped-tasks", "stopped-tasks.png", page.Locator("[data-testid=stopped-tasks] tbody tr").First);

        Assert.All(["overview.png", "executions.png", "execution-detail.png", "stopped-tasks.png"], f => Assert.True(new FileInfo(Path.Combine(directory, f)).Length > 10_000, f));

        async Task ShootAsync(IPage p, string path, string file, ILocator ready)
        {
            await p.GotoAsync(new Uri(fixture.Dashboard.BaseUrl, path).ToString());
            await Assertions.Expect(ready).ToBeVisibleAsync();
            await WaitInteractiveAsync(p);
            await p.ScreenshotAsync(new() { Path = Path.Combine(directory, file), FullPage = true });
        }
    }

    /// <summary>Prerendered HTML shows first; filters work once Blazor's circuit is connected (the layout marks it).</summary>
    private static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("#interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });

    [GeneratedRegex("workflow=batch-job")]
    private static partial Regex WorkflowInUrl();

    [GeneratedRegex("status=FAILED")]
    private static partial Regex StatusInUrl();

    [GeneratedRegex("q=sync-inv")]
    private static partial Regex SearchInUrl();

    private static Regex WaitedBeforeAttempt(int attempt) => new($@"then waited \d+(\.\d)? s before attempt {attempt}");

    [GeneratedRegex("^sync-inventory-")]
    private static partial Regex SyncInventory();
}
