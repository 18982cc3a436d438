using BatchOps.Dashboard.Components.Layout;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The frame around every page: navigation, mode, staleness, who is signed in, time zone and theme.</summary>
public sealed class LayoutTests : ComponentTest
{
    private readonly FakeSyncHealth _health = new();

    public LayoutTests() => Services.AddSingleton<ISyncHealth>(_health);

    [Fact]
    public void The_stale_notice_appears_when_aws_could_not_be_read_and_says_since_when()
    {
        _health.Health = new SyncHealth(true, Clock.GetUtcNow().AddMinutes(-10), "ThrottlingException: Rate exceeded", Clock.GetUtcNow().AddMinutes(-8));

        var notice = Render<StaleDataNotice>();

        var alert = notice.Find("[data-testid=stale-notice]");
        Assert.Contains("Data may be stale.", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("since 2026-11-21 05:52:00 UTC", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("at 2026-11-21 05:50:00 UTC", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("ThrottlingException: Rate exceeded", alert.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stale_notice_comes_and_goes_with_the_sync_status_without_a_reload()
    {
        var notice = Render<StaleDataNotice>();
        Assert.Empty(notice.FindAll("[data-testid=stale-notice]"));

        _health.Health = new SyncHealth(true, null, "connection refused", Clock.GetUtcNow());
        Changes.Publish(ReadModelChangeKind.SyncStatus);
        notice.WaitForAssertion(() => Assert.Single(notice.FindAll("[data-testid=stale-notice]")));

        // Further changes within a second are folded into one refresh when the clock moves on.
        _health.Health = new SyncHealth(false, Clock.GetUtcNow(), null, null);
        Changes.Publish(ReadModelChangeKind.Clock);
        Clock.Advance(TimeSpan.FromSeconds(1));
        notice.WaitForAssertion(() => Assert.Empty(notice.FindAll("[data-testid=stale-notice]")));
    }

    [Fact]
    public void The_mode_banner_says_sandbox_or_names_the_aws_region()
    {
        var banner = Render<ModeBanner>();

        Assert.Contains("Sandbox mode.", banner.Find("[data-testid=mode-banner]").TextContent, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:4599/", banner.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("IAM", banner.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sandbox_that_enforces_iam_says_so_in_the_banner()
    {
        Services.AddSingleton(new DashboardModeInfo(DashboardMode.Sandbox, new Uri("http://127.0.0.1:4599/"), "us-east-1", IamEnforced: true));

        var banner = Render<ModeBanner>();

        Assert.Contains("checked against the template's IAM roles", banner.Find("[data-testid=mode-banner]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_background_jobs_link_is_offered_to_admins_only()
    {
        var auth = Authorization;
        auth.SetAuthorized("operator").SetRoles(BatchOpsRoles.Viewer, BatchOpsRoles.Operator);
        auth.SetPolicies(BatchOpsPolicies.View, BatchOpsPolicies.Operate);

        var menu = RenderWithPopovers<NavMenu>();

        Assert.Equal(["Overview", "Executions", "Stopped tasks", "Schedules", "Start a workflow", "Audit", "Sync health"], menu.FindAll("a").Select(a => a.TextContent.Trim()));
        Assert.Empty(menu.FindAll("[data-testid=jobs-link]"));
    }

    [Fact]
    public void An_admin_sees_the_background_jobs_link()
    {
        var auth = Authorization;
        auth.SetAuthorized("admin").SetRoles(BatchOpsRoles.Admin);
        auth.SetPolicies(BatchOpsPolicies.View, BatchOpsPolicies.Operate, BatchOpsPolicies.Administer);

        var menu = RenderWithPopovers<NavMenu>();

        Assert.Equal("/jobs", menu.Find("[data-testid=jobs-link]").GetAttribute("href"));
    }

    [Fact]
    public void The_layout_names_the_user_and_roles_and_applies_the_browsers_zone_and_the_remembered_theme()
    {
        var auth = Authorization;
        auth.SetAuthorized("Ada Admin").SetRoles(BatchOpsRoles.Viewer, BatchOpsRoles.Operator, BatchOpsRoles.Admin);
        JSInterop.Setup<BrowserPreferences>("batchops.preferences").SetResult(new BrowserPreferences("Asia/Tokyo", Utc: true, Theme: "Dark", SystemDark: false));

        // The layout brings its own popover provider.
        var layout = Render<MainLayout>(p => p.Add(l => l.Body, "<p>page</p>"));

        layout.WaitForAssertion(() => Assert.Equal("true", layout.Find("#interactive").GetAttribute("data-dark")));
        Assert.Equal("Ada Admin · Admin, Operator, Viewer", layout.Find("[data-testid=user]").TextContent.Trim());
        Assert.Equal("true", layout.Find("[data-testid=zone-utc]").GetAttribute("aria-pressed"));

        layout.Find("[data-testid=zone-local]").Click();

        Assert.Equal("true", layout.Find("[data-testid=zone-local]").GetAttribute("aria-pressed"));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "batchops.setPreference" && (string?)i.Arguments[0] == "utc" && (string?)i.Arguments[1] == "false");
    }
}
