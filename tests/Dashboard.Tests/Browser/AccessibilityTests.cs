using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>axe-core on every page of the dashboard, in light and dark: no serious or critical violation.</summary>
[Collection(SandboxDashboardCollection.Name)]
public sealed class AccessibilityTests(SandboxDashboardFixture fixture)
{
    public static TheoryData<string, bool> Pages() => new()
    {
        { "/", false }, { "/", true },
        { "/executions", false }, { "/executions", true },
        { "/executions?status=FAILED&sort=name&dir=asc", false },
        { "execution-detail", false }, { "execution-detail", true },
        { "/stopped-tasks", false }, { "/stopped-tasks", true },
        { "/no-such-page", false }, { "/no-such-page", true },
        { "/start?workflow=batch-job", false }, { "/start?workflow=batch-job", true },
        { "/start?workflow=callback-job", false },
        { "rerun", false }, { "rerun", true },
        { "/audit", false }, { "/audit", true },
        { "/schedules", false }, { "/schedules", true },
        { "/schedules/batchops-managed/nightly-batch", false }, { "/schedules/batchops-managed/nightly-batch", true },
        { "/schedules/new", false }, { "/schedules/new", true },
        { "/sync", false }, { "/sync", true },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_has_no_serious_or_critical_accessibility_violations(string path, bool dark)
    {
        var page = await fixture.Browser.NewPageAsync(dark: dark);
        if (path is "execution-detail" or "rerun")
        {
            await page.GotoAsync(fixture.Url("/executions?q=sync-inventory"));
            await Browser.Pages.WaitInteractiveAsync(page);
            await page.Locator("[data-execution]").First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=refresh-state]")).ToContainTextAsync("History fetched");
            if (path == "rerun")
            {
                await page.Locator("[data-testid=rerun]").ClickAsync();
                await Assertions.Expect(page.Locator("[data-testid=input-diff]")).ToBeVisibleAsync();
            }
        }
        else
        {
            await page.GotoAsync(fixture.Url(path));
            await Browser.Pages.WaitInteractiveAsync(page);
        }

        await Assertions.Expect(page.Locator("#interactive")).ToHaveAttributeAsync("data-dark", dark ? "true" : "false");
        await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(" · BatchOps$"));

        var results = await page.RunAxe();

        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{path} ({(dark ? "dark" : "light")}):\n" + string.Join("\n", serious.Select(Describe)));
    }

    private static string Describe(AxeResultItem violation) =>
        $"{violation.Impact} {violation.Id}: {violation.Help}\n" + string.Join("\n", violation.Nodes.Take(5).Select(n => $"   {string.Join(" ", n.Target?.ToString() ?? "")} {n.Html}"));
}
