using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>
/// Wide content (ARNs, stopped reasons, many columns) scrolls inside its own table; the page itself never
/// scrolls sideways on a laptop-sized window, where an operator would lose the navigation and the headings.
/// </summary>
[Collection(SandboxDashboardCollection.Name)]
public sealed class LayoutWidthTests(SandboxDashboardFixture fixture)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(1440)]
    public async Task No_page_is_wider_than_the_window(int width)
    {
        var page = await fixture.Browser.NewPageAsync(width: width);
        await page.GotoAsync(fixture.Url("/executions"));
        await Pages.WaitInteractiveAsync(page);
        var detailLinks = await page.Locator("[data-execution]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(detailLinks);

        var overflowing = new List<string>();
        foreach (var path in new[] { "/", "/executions", "/stopped-tasks", "/start?workflow=batch-job", "/audit", "/schedules", "/schedules/batchops-managed/nightly-batch", "/schedules/new" }
            .Concat(detailLinks.Select(l => "/" + l.TrimStart('/')))
            .Concat(detailLinks.Take(2).Select(l => "/" + l.TrimStart('/') + "/rerun")))
        {
            await page.GotoAsync(fixture.Url(path));
            await Pages.WaitInteractiveAsync(page);
            if (path.StartsWith("/executions/", StringComparison.Ordinal) && !path.EndsWith("/rerun", StringComparison.Ordinal))
            {
                await Assertions.Expect(page.Locator("[data-testid=refresh-state]")).ToContainTextAsync("History fetched");
            }

            if (path.EndsWith("/rerun", StringComparison.Ordinal))
            {
                await Assertions.Expect(page.Locator("[data-testid=input-diff]")).ToBeVisibleAsync();
            }

            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            var (scrollWidth, clientWidth) = (widths[0], widths[1]);
            if (scrollWidth > clientWidth)
            {
                overflowing.Add($"{path}: {scrollWidth} px wide in a {clientWidth} px window");
            }
        }

        Assert.True(overflowing.Count == 0, string.Join("\n", overflowing));
    }
}
