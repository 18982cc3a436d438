using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>What every browser test does with the dashboard's pages.</summary>
public static class Pages
{
    /// <summary>Prerendered HTML shows first; controls work once Blazor's circuit is connected (the layout marks it).</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("#interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });

    /// <summary>Picks an option of a MudSelect, as a person does: open it, click the option.</summary>
    public static async Task ChooseAsync(IPage page, string testId, string option)
    {
        await page.Locator($"[data-testid={testId}]").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }
}
