using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchOps.Dashboard.Tests.Support;

namespace BatchOps.Dashboard.Tests.Auth;

/// <summary>One dashboard in sandbox mode signing in at the sandbox's identity provider, and no other way.</summary>
public sealed class SignInFixture : IAsyncLifetime
{
    public DashboardProcess Dashboard { get; private set; } = null!;

    public HttpClient SandboxAdmin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?> { ["Sandbox:SeedActivity"] = "false" });
        SandboxAdmin = Dashboard.CreateSandboxAdminClient();
    }

    /// <summary>An access token from the sandbox's provider, signed with its key unless asked otherwise.</summary>
    public Task<string> TokenAsync(string user, string faults = "{}") => SignInFlow.MintTokenAsync(SandboxAdmin, user, faults);

    public async Task DisposeAsync()
    {
        SandboxAdmin.Dispose();
        await Dashboard.DisposeAsync();
    }
}

public sealed class SignInSecurityTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    private DashboardProcess Dashboard => fixture.Dashboard;

    [Theory]
    [InlineData("BadSignature", "Signature validation failed")]
    [InlineData("WrongIssuer", "Issuer validation failed")]
    [InlineData("WrongAudience", "Audience validation failed")]
    [InlineData("Expired", "Lifetime validation failed")]
    public async Task Sign_in_refuses_an_id_token_that_is_forged_misissued_misaddressed_or_expired(string fault, string reason)
    {
        using var queued = await fixture.SandboxAdmin.PostAsJsonAsync(new Uri("/_sandbox/identity/id-token-faults", UriKind.Relative), new { fault });
        queued.EnsureSuccessStatusCode();
        using var client = SignInFlow.NewClient(Dashboard.BaseUrl);

        using var landed = await SignInFlow.CompleteAsync(client, "admin");

        Assert.Equal(Navigation.DashboardUrls.SignInFailedPath, landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains(reason, Uri.UnescapeDataString(landed.RequestMessage.RequestUri.Query), StringComparison.Ordinal);
        Assert.Contains("Sign-in failed", await landed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNoSessionAsync(client);
    }

    [Fact]
    public async Task A_replayed_callback_and_one_without_state_are_refused()
    {
        var cookies = new CookieContainer();
        using var client = SignInFlow.NewClient(Dashboard.BaseUrl, cookies);
        var callback = await SignInFlow.AuthorizeAsync(client, "operator");
        using (var first = await client.PostAsync(callback.Action, new FormUrlEncodedContent(callback.Fields)))
        {
            Assert.Equal("/healthz", first.RequestMessage!.RequestUri!.AbsolutePath);
        }

        // The same code and state again (from another browser, or this one after the sign-in): the correlation is spent.
        using var stranger = SignInFlow.NewClient(Dashboard.BaseUrl);
        using var replayed = await stranger.PostAsync(callback.Action, new FormUrlEncodedContent(callback.Fields));
        using var again = await client.PostAsync(callback.Action, new FormUrlEncodedContent(callback.Fields));
        var withoutState = await SignInFlow.AuthorizeAsync(stranger, "operator");
        withoutState.Fields.Remove("state");
        using var stateless = await stranger.PostAsync(withoutState.Action, new FormUrlEncodedContent(withoutState.Fields));

        foreach (var refused in new[] { replayed, again, stateless })
        {
            Assert.Equal(Navigation.DashboardUrls.SignInFailedPath, refused.RequestMessage!.RequestUri!.AbsolutePath);
        }

        Assert.Contains("Correlation failed", Uri.UnescapeDataString(replayed.RequestMessage!.RequestUri!.Query), StringComparison.Ordinal);
        Assert.Contains("state", Uri.UnescapeDataString(stateless.RequestMessage!.RequestUri!.Query), StringComparison.OrdinalIgnoreCase);
        await AssertNoSessionAsync(stranger);
    }

    [Fact]
    public async Task A_callback_whose_nonce_is_not_the_one_this_browser_asked_for_is_refused()
    {
        var mine = new CookieContainer();
        var theirs = new CookieContainer();
        using var me = SignInFlow.NewClient(Dashboard.BaseUrl, mine);
        using var them = SignInFlow.NewClient(Dashboard.BaseUrl, theirs);
        var callback = await SignInFlow.AuthorizeAsync(me, "admin");
        _ = await SignInFlow.AuthorizeAsync(them, "admin");

        // This browser's nonce cookie swapped for another sign-in's: the id token's nonce matches no cookie here.
        static bool IsNonce(Cookie c) => c.Name.StartsWith(".AspNetCore.OpenIdConnect.Nonce.", StringComparison.Ordinal);
        var swapped = new CookieContainer();
        foreach (var cookie in mine.GetAllCookies().Where(c => !IsNonce(c)).Concat(theirs.GetAllCookies().Where(IsNonce)))
        {
            swapped.Add(cookie);
        }

        Assert.Single(swapped.GetAllCookies(), IsNonce);
        using var withTheirNonce = SignInFlow.NewClient(Dashboard.BaseUrl, swapped);
        using var refused = await withTheirNonce.PostAsync(callback.Action, new FormUrlEncodedContent(callback.Fields));

        Assert.Equal(Navigation.DashboardUrls.SignInFailedPath, refused.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("nonce", Uri.UnescapeDataString(refused.RequestMessage.RequestUri.Query), StringComparison.OrdinalIgnoreCase);
        await AssertNoSessionAsync(withTheirNonce);
    }

    [Theory]
    [InlineData("""{"badSignature":true}""", "its signature does not match the identity provider's keys.")]
    [InlineData("""{"issuer":"https://login.example.com/someone-else/v2.0"}""", "it was issued by another issuer than the dashboard's identity provider.")]
    [InlineData("""{"audience":"another-api"}""", "it was issued for another audience than the dashboard.")]
    [InlineData("""{"lifetimeSeconds":-600}""", "it has expired.")]
    public async Task The_api_refuses_a_bearer_token_that_is_forged_misissued_misaddressed_or_expired(string faults, string reason)
    {
        var token = await fixture.TokenAsync("admin", faults);
        using var api = Dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var read = await api.GetAsync(new Uri("/api/operations", UriKind.Relative));
        using var write = await api.PostAsJsonAsync(new Uri("/api/executions", UriKind.Relative), new { workflow = "batch-job", input = new { } });

        foreach (var refused in new[] { read, write })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
            var problem = await refused.Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal($"The bearer token was refused: {reason}", (string)problem!["detail"]!);
        }
    }

    [Fact]
    public async Task The_api_takes_a_good_bearer_token_with_the_users_roles()
    {
        using var api = Dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.TokenAsync("viewer"));

        using var read = await api.GetAsync(new Uri("/api/workflows", UriKind.Relative));
        using var write = await api.PostAsJsonAsync(new Uri("/api/executions", UriKind.Relative), new { workflow = "batch-job", input = new { } });
        using var garbage = new HttpRequestMessage(HttpMethod.Get, "/api/workflows") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-a-jwt") } };
        using var malformed = await api.SendAsync(garbage);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Contains("Vera Viewer may not start", (string)(await write.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, malformed.StatusCode);
    }

    [Fact]
    public async Task Sign_out_without_the_pages_antiforgery_token_is_refused_and_the_session_stays()
    {
        using var client = await Dashboard.SignInAsync("operator");

        using var forged = await client.PostAsync(new Uri(Navigation.DashboardUrls.SignOutPath, UriKind.Relative), new FormUrlEncodedContent([]));
        using var still = await client.GetAsync(new Uri("/api/operations", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("no valid antiforgery token", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    private static async Task AssertNoSessionAsync(HttpClient client)
    {
        using var probe = new HttpRequestMessage(HttpMethod.Get, "/api/operations");
        using var response = await client.SendAsync(probe);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
