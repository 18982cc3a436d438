using System.Text.RegularExpressions;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>What an on-call operator does first, in Chromium against the running dashboard.</summary>
[Collection(SandboxDashboardCollection.Name)]
public sealed partial class OperatorJourneyTests(SandboxDashboardFixture fixture)
{
    private static readonly PageAssertionsToHaveURLOptions Wait = new() { Timeout = 15_000 };

    [Fact]
    public async Task A_link_followed_before_the_page_is_interactive_shows_the_page_it_names_and_later_links_stay_in_the_circuit()
    {
        // Enhanced navigation used to land while the circuit started on the previous address, which then rendered the
        // executions list under the detail URL (about one click in four, on a page less than a second old).
        var page = await fixture.Browser.NewPageAsync();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            await page.GotoAsync(fixture.Url("/executions"), new() { WaitUntil = WaitUntilState.Commit });
            await page.Locator("[data-execution]").First.ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/executions/arn"));
            await Pages.WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=actions]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=executions]")).ToHaveCountAsync(0);
        }

        await page.GotoAsync(fixture.Url("/executions"));
        await Pages.WaitInteractiveAsync(page);
        var documents = 0;
        page.Request += (_, request) => documents += request.ResourceType == "document" ? 1 : 0;
        await page.Locator("[data-execution]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=actions]")).ToBeVisibleAsync();
        Assert.Equal(0, documents);
    }

    [Fact]
    public async Task An_operator_filters_to_a_failed_execution_and_reads_why_each_attempt_stopped()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url("/executions"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Executions", Level = 1 })).ToBeVisibleAsync();
        await Pages.WaitInteractiveAsync(page);

        await Pages.ChooseAsync(page, "f-workflow", "batch-job");
        await Assertions.Expect(page).ToHaveURLAsync(WorkflowInUrl(), Wait);
        await Pages.ChooseAsync(page, "f-status", "FAILED");
        await Assertions.Expect(page).ToHaveURLAsync(StatusInUrl(), Wait);
        await page.Locator("[data-testid=f-search]").FillAsync("sync-inv");
        await Assertions.Expect(page).ToHaveURLAsync(SearchInUrl(), Wait);

        var rows = page.Locator("[data-testid=executions] tbody tr:has([data-execution])");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First.Locator("[data-status]")).ToHaveTextAsync("FAILED");
        await rows.First.Locator("[data-execution]").ClickAsync();

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
        await page.GotoAsync(fixture.Url("/executions?workflow=batch-job&status=FAILED&q=sync&sort=name&dir=asc"));
        await Pages.WaitInteractiveAsync(page);

        await Assertions.Expect(page.Locator("[data-testid=f-workflow]")).ToHaveTextAsync("batch-job");
        await Assertions.Expect(page.Locator("[data-testid=f-status]")).ToHaveTextAsync("FAILED");
        await Assertions.Expect(page.Locator("[data-testid=f-search]")).ToHaveValueAsync("sync");
        await Assertions.Expect(page.Locator("th[aria-sort=ascending]")).ToHaveTextAsync(NameSortedAscending());
        var rows = page.Locator("[data-testid=executions] [data-execution]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-execution", SyncInventory());
        Assert.EndsWith("/executions?workflow=batch-job&status=FAILED&q=sync&sort=name&dir=asc", page.Url, StringComparison.Ordinal);
        // Times follow the browser's zone once the circuit is interactive.
        await Assertions.Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Started (Asia/Tokyo)" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Following_a_rerun_link_shows_and_refreshes_that_execution()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url("/executions?q=import-invoices&sort=name&dir=asc"));
        await Pages.WaitInteractiveAsync(page);
        await page.Locator("[data-execution]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=rerun] a")).ToBeVisibleAsync();

        await page.Locator("[data-testid=rerun] a").ClickAsync();

        // The re-run's own page: its name, the link back, and its own refresh from AWS (not the previous one's).
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("-rerun-1");
        await Assertions.Expect(page.Locator("dd").Filter(new() { HasText = "import-invoices" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=refresh-state]")).ToContainTextAsync("History fetched");
        await Assertions.Expect(page.Locator("[data-testid=refresh-error]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Filters_rows_and_links_work_from_the_keyboard_alone()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url("/executions"));
        await Pages.WaitInteractiveAsync(page);

        // Navigation puts focus on the page's heading, so the next Tab is in the page, not back in the menu.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Executions", Level = 1 })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.closest('main') !== null"), "Tab after the heading left the page's content");

        // The status filter opens and chooses with the keyboard.
        await page.Locator("[data-testid=f-status]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var failed = page.GetByRole(AriaRole.Option, new() { Name = "FAILED", Exact = true });
        await Assertions.Expect(failed).ToBeVisibleAsync();
        for (var i = 0; i < 3 && !await failed.EvaluateAsync<bool>("e => e.classList.contains('mud-selected-item') || e === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
        }

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(StatusInUrl(), Wait);

        // A row's link is reached with Tab and followed with Enter; focus shows where it is.
        await Assertions.Expect(page.Locator("[data-testid=executions] [data-execution]").First).ToBeVisibleAsync();
        var tabs = 0;
        while (!await page.EvaluateAsync<bool>("() => document.activeElement?.hasAttribute('data-execution') === true"))
        {
            Assert.True(++tabs < 60, "Tab never reached a row's link");
            await page.Keyboard.PressAsync("Tab");
        }

        var outline = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.NotEqual("none", outline);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retry history" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_theme_follows_the_browser_and_a_choice_in_the_app_bar_is_remembered()
    {
        var page = await fixture.Browser.NewPageAsync(dark: true);
        await page.GotoAsync(fixture.Url("/"));
        await Pages.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#interactive")).ToHaveAttributeAsync("data-dark", "true");

        await page.Locator("[data-testid=theme-menu] button").ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Light" }).ClickAsync();
        // The page turns light once the choice is stored in the browser; reloading before that would lose it.
        await Assertions.Expect(page.Locator("#interactive")).ToHaveAttributeAsync("data-dark", "false");
        await page.ReloadAsync();
        await Pages.WaitInteractiveAsync(page);

        await Assertions.Expect(page.Locator("#interactive")).ToHaveAttributeAsync("data-dark", "false");
    }

    [Fact]
    public async Task The_background_jobs_dashboard_is_offered_to_admins_and_lists_the_sync_jobs()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url("/"));
        await Pages.WaitInteractiveAsync(page);

        await page.Locator("[data-testid=jobs-link]").ClickAsync();
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex("BatchOps background jobs"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Recurring Jobs" }).ClickAsync();

        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("sync:executions");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("sync:histories");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("sync:stopped-tasks");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("sync:redrives");
    }

    [Fact]
    public async Task Screenshots_of_every_page_in_light_and_dark_show_the_sandbox_executions()
    {
        var directory = Environment.GetEnvironmentVariable("BATCHOPS_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured, RepositoryPaths.Root)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        foreach (var dark in new[] { false, true })
        {
            var suffix = dark ? "-dark" : "";
            var page = await fixture.Browser.NewPageAsync(timezone: "UTC", dark: dark);
            await ShootAsync(page, "/", $"overview{suffix}.png", page.Locator("[data-testid=failures]"));
            await ShootAsync(page, "/executions", $"executions{suffix}.png", page.Locator("[data-execution]").First);
            await page.GotoAsync(fixture.Url("/executions?q=export-orders"));
            await page.Locator("[data-execution]").First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=attempt]").First).ToContainTextAsync("Image pull");
            await Assertions.Expect(page.Locator("[data-testid=refresh-state]")).ToContainTextAsync("History fetched");
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"execution-detail{suffix}.png"), FullPage = true });
            // Says what the actions bar shows instead, should the button be missing.
            await Assertions.Expect(page.Locator("[data-testid=actions]")).ToContainTextAsync("Re-run with changes");
            await page.Locator("[data-testid=actions] [data-testid=rerun]").ClickAsync();
            await page.Locator("[data-testid=add-env]").ClickAsync();
            await page.Locator("[data-testid=env-name-0]").FillAsync("DRY_RUN");
            await page.Locator("[data-testid=env-value-0]").FillAsync("1");
            await Assertions.Expect(page.Locator("[data-testid=input-diff]")).ToContainTextAsync("\"Value\": \"1\"");
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"rerun{suffix}.png"), FullPage = true });
            await ShootAsync(page, "/start?workflow=orchestrator", $"start{suffix}.png", page.Locator("[data-testid=input-editor]"));
            await ShootAsync(page, "/stopped-tasks", $"stopped-tasks{suffix}.png", page.Locator("[data-testid=stopped-tasks] tbody tr").First);
            await ShootAsync(page, "/schedules", $"schedules{suffix}.png", page.Locator("[data-schedule]").First);
            await ShootAsync(page, "/schedules/batchops-managed/nightly-batch", $"schedule{suffix}.png", page.Locator("[data-testid=fire-times] li").First);

            async Task ShootAsync(IPage p, string path, string file, ILocator ready)
            {
                await p.GotoAsync(fixture.Url(path));
                await Assertions.Expect(ready).ToBeVisibleAsync();
                await Pages.WaitInteractiveAsync(p);
                await Assertions.Expect(p.Locator("#interactive")).ToHaveAttributeAsync("data-dark", dark ? "true" : "false");
                await p.ScreenshotAsync(new() { Path = Path.Combine(directory, file), FullPage = true });
            }
        }

        Assert.All(
            new[] { "overview", "executions", "execution-detail", "rerun", "start", "stopped-tasks", "schedules", "schedule" }.SelectMany(n => new[] { $"{n}.png", $"{n}-dark.png" }),
            f => Assert.True(new FileInfo(Path.Combine(directory, f)).Length > 10_000, f));
    }

    [GeneratedRegex("workflow=batch-job")]
    private static partial Regex WorkflowInUrl();

    [GeneratedRegex("status=FAILED")]
    private static partial Regex StatusInUrl();

    [GeneratedRegex("q=sync-inv")]
    private static partial Regex SearchInUrl();

    [GeneratedRegex(@"^\s*Name\b[\s\S]*ascending")]
    private static partial Regex NameSortedAscending();

    private static Regex WaitedBeforeAttempt(int attempt) => new($@"then waited \d+(\.\d)? s before attempt {attempt}");

    [GeneratedRegex("^sync-inventory-")]
    private static partial Regex SyncInventory();
}
