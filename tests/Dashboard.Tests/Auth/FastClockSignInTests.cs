using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Auth;

/// <summary>Sign-in and bearer tokens live on the wall clock, whatever speed the sandbox's clock (the pages' "now") runs at.</summary>
public sealed class FastClockSignInTests
{
    [Fact]
    public async Task Sign_in_and_bearer_tokens_work_hours_of_sandbox_time_after_start()
    {
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?> { ["Sandbox:SeedActivity"] = "false", ["Sandbox:TimeScale"] = "1000" });
        using var admin = dashboard.CreateSandboxAdminClient();
        var start = await SandboxNowAsync(admin);
        // At 1000× an hour of sandbox time passes in 3.6 s: past the provider's one-hour token lifetime.
        await Eventually.WaitUntilAsync("the sandbox clock to run two hours ahead", () => SandboxNowAsync(admin), now => now - start > TimeSpan.FromHours(2), TimeSpan.FromSeconds(60), now => $"{now - start} ahead");

        using var client = await dashboard.SignInAsync("viewer");
        using var page = await client.GetAsync(new Uri("/executions", UriKind.Relative));
        using var api = dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInFlow.MintTokenAsync(admin, "viewer"));
        using var read = await api.GetAsync(new Uri("/api/operations", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Vera Viewer", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(read.StatusCode == HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
    }

    private static async Task<DateTimeOffset> SandboxNowAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonObject>(new Uri("/_sandbox/health", UriKind.Relative)))!["now"]!.GetValue<DateTimeOffset>();
}
