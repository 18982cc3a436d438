using System.Net.Http.Json;
using BatchOps.Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard whose sessions are checked with the provider every 2 s, and Chromium: operators sign in at the sandbox's
/// provider page as a person does, and an administrator at the provider changes their roles or ends their sessions.
/// </summary>
public sealed class SignInBrowserFixture : IAsyncLifetime
{
    public DashboardProcess Dashboard { get; private set; } = null!;

    public Support.Browser Browser { get; private set; } = null!;

    public HttpClient SandboxAdmin { get; private set; } = null!;

    public string Url(string path) => new Uri(Dashboard.BaseUrl, path).ToString();

    public async Task InitializeAsync()
    {
        Dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:SeedActivity"] = "false",
            ["Auth:RevalidationInterval"] = "00:00:02",
        });
        Browser = await Support.Browser.LaunchAsync(Dashboard.BaseUrl);
        SandboxAdmin = Dashboard.CreateSandboxAdminClient();
    }

    public async Task SetRolesAsync(string user, params string[] roles)
    {
        using var response = await SandboxAdmin.PutAsJsonAsync(new Uri($"/_sandbox/identity/users/{user}/roles", UriKind.Relative), roles);
        response.EnsureSuccessStatusCode();
    }

    public async Task EndSessionsAsync(string user)
    {
        using var response = await SandboxAdmin.PostAsync(new Uri($"/_sandbox/identity/users/{user}/sign-out", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        SandboxAdmin.Dispose();
        await Browser.DisposeAsync();
        await Dashboard.DisposeAsync();
    }
}

public sealed class SignInBrowserTests(SignInBrowserFixture fixture) : IClassFixture<SignInBrowserFixture>
{
    [Fact]
    public async Task The_sign_in_page_offers_the_three_test_users_operator_first_and_each_sees_what_the_role_allows()
    {
        var page = await fixture.Browser.NewPageAsync(user: null);
        await page.GotoAsync(fixture.Url("/executions"));
        Assert.Equal(["operator", "viewer", "admin"], await page.Locator("a[data-user]").EvaluateAllAsync<string[]>("links => links.map(l => l.dataset.user)"));

        foreach (var (user, name, canStart, canSeeJobs) in new[] { ("viewer", "Vera Viewer · Viewer", false, false), ("operator", "Olu Operator · Operator", true, false), ("admin", "Ada Admin · Admin", true, true) })
        {
            var signedIn = await fixture.Browser.NewPageAsync(user: user);
            await signedIn.GotoAsync(fixture.Url("/executions"));
            await Pages.WaitInteractiveAsync(signedIn);
            Assert.Equal(name, (await signedIn.Locator("[data-testid=user]").TextContentAsync())!.Trim());
            Assert.Equal(canStart, await signedIn.Locator("[data-testid=start-link]").CountAsync() == 1);
            Assert.Equal(canSeeJobs, await signedIn.Locator("[data-testid=jobs-link]").CountAsync() == 1);
            var start = await signedIn.GotoAsync(fixture.Url("/start"));
            Assert.Equal(canStart ? 200 : 403, start!.Status);
            await signedIn.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task An_open_page_loses_the_actions_when_the_provider_takes_the_role_away_and_everything_when_it_ends_the_session()
    {
        try
        {
            var page = await fixture.Browser.NewPageAsync(user: "operator");
            await page.GotoAsync(fixture.Url("/executions"));
            await Pages.WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=start-link]")).ToBeVisibleAsync();

            // The directory administrator demotes the operator; the open page is not reloaded.
            await fixture.SetRolesAsync("operator", "BatchOps.Viewer");

            await Assertions.Expect(page.Locator("[data-testid=user]")).ToHaveTextAsync("Olu Operator · Viewer", new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("[data-testid=start-link]")).ToHaveCountAsync(0);
            // The same circuit's actions read the new roles too: the start page's form is gone with the role.
            var reloaded = await page.GotoAsync(fixture.Url("/start"));
            Assert.Equal(403, reloaded!.Status);

            // Then the sessions are revoked: the open page shows the user as signed out.
            await page.GotoAsync(fixture.Url("/executions"));
            await Pages.WaitInteractiveAsync(page);
            await fixture.EndSessionsAsync("operator");
            await Assertions.Expect(page.Locator("[data-testid=sign-in]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("[data-testid=not-authorized]")).ToBeVisibleAsync();
        }
        finally
        {
            await fixture.SetRolesAsync("operator", "BatchOps.Operator");
        }
    }

    [Fact]
    public async Task Signing_out_ends_the_session_here_and_at_the_provider()
    {
        var page = await fixture.Browser.NewPageAsync(user: "admin");
        await page.GotoAsync(fixture.Url("/executions"));
        await Pages.WaitInteractiveAsync(page);

        await page.Locator("[data-testid=sign-out]").ClickAsync();

        await page.WaitForURLAsync(fixture.Url("/signed-out"));
        await Assertions.Expect(page.Locator("[data-testid=signed-out]")).ToBeVisibleAsync();
        await page.GotoAsync(fixture.Url("/executions"));
        // Back at the provider's page: no session here, none there.
        await Assertions.Expect(page.Locator("a[data-user=operator]")).ToBeVisibleAsync();
    }
}
