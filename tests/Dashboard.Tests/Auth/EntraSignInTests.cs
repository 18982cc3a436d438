using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Identity;

namespace BatchOps.Dashboard.Tests.Auth;

/// <summary>
/// The Microsoft.Identity.Web path (the AzureAd section), end to end against the sandbox's provider presenting itself
/// as Entra: /{tenant}/v2.0 issuer, tid, oid and roles claims.
/// </summary>
public sealed class EntraSignInTests
{
    [Fact]
    public async Task Microsoft_identity_web_signs_operators_in_at_an_entra_shaped_provider_and_takes_its_bearer_tokens()
    {
        await using var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
        var readModel = Path.Combine(Path.GetTempPath(), "batchops-tests", $"entra-{Guid.NewGuid():N}.db");
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Attach"] = "true",
            ["Sandbox:Url"] = sandbox.Endpoint.ToString().TrimEnd('/'),
            ["Sandbox:SeedActivity"] = "false",
            ["ReadModel:SqlitePath"] = readModel,
            ["AzureAd:Instance"] = sandbox.Endpoint.ToString(),
            ["AzureAd:TenantId"] = SandboxDirectory.TenantId,
            ["AzureAd:ClientId"] = SandboxDirectory.DashboardClientId,
            ["AzureAd:ClientSecret"] = SandboxDirectory.DashboardClientSecret,
            ["AzureAd:CallbackPath"] = "/signin-oidc",
            ["AzureAd:SignedOutCallbackPath"] = "/signout-callback-oidc",
        });

        using var client = SignInFlow.NewClient(dashboard.BaseUrl);
        using var landed = await SignInFlow.CompleteAsync(client, "admin", "/executions");
        var html = await landed.Content.ReadAsStringAsync();
        Assert.True(landed.RequestMessage!.RequestUri!.AbsolutePath == "/executions", Uri.UnescapeDataString(landed.RequestMessage.RequestUri.Query));
        Assert.Contains("Ada Admin · Admin", html, StringComparison.Ordinal);

        using var admin = new HttpClient { BaseAddress = sandbox.Endpoint };
        var token = await SignInFlow.MintTokenAsync(admin, "operator");
        using var api = dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var read = await api.GetAsync(new Uri("/api/operations", UriKind.Relative));
        Assert.True(read.StatusCode == HttpStatusCode.OK, await read.Content.ReadAsStringAsync());

        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInFlow.MintTokenAsync(admin, "operator", """{"issuer":"https://login.microsoftonline.com/another-tenant/v2.0"}"""));
        using var foreign = await api.GetAsync(new Uri("/api/operations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
    }
}
