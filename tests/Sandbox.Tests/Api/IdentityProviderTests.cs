using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>The sandbox's development identity provider, spoken to as a client does: authorize, token, refresh, end session.</summary>
public sealed class IdentityProviderTests : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:9/signin-oidc";
    private SandboxServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0");
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Endpoint };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task It_presents_itself_like_entra_and_issues_tokens_with_tid_oid_roles_and_the_nonce()
    {
        var discovery = JsonNode.Parse(await _http.GetStringAsync(new Uri($"/{SandboxDirectory.TenantId}/v2.0/.well-known/openid-configuration", UriKind.Relative)))!;
        Assert.Equal(new Uri(_server.Endpoint, $"/{SandboxDirectory.TenantId}/v2.0").AbsoluteUri, (string)discovery["issuer"]!);
        Assert.EndsWith($"/{SandboxDirectory.TenantId}/oauth2/v2.0/authorize", (string)discovery["authorization_endpoint"]!, StringComparison.Ordinal);

        var (code, verifier) = await AuthorizeAsync("admin", nonce: "n-0S6_WzA2Mj");
        using var tokens = await RedeemAsync(code, verifier);

        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var body = JsonNode.Parse(await tokens.Content.ReadAsStringAsync())!;
        var id = new JsonWebToken((string)body["id_token"]!);
        Assert.Equal((SandboxDirectory.TenantId, "a3c1e2f4-0000-4000-8000-000000000003", "Ada Admin", "n-0S6_WzA2Mj"), (id.GetClaim("tid").Value, id.GetClaim("oid").Value, id.GetClaim("name").Value, id.GetClaim("nonce").Value));
        Assert.Equal([SandboxDirectory.AdminRole], id.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.NotNull(body["refresh_token"]);
        var access = new JsonWebToken((string)body["access_token"]!);
        Assert.Equal(SandboxDirectory.DashboardClientId, Assert.Single(access.Audiences));
    }

    [Fact]
    public async Task A_code_is_refused_without_its_pkce_verifier_with_the_wrong_one_by_the_wrong_client_and_a_second_time()
    {
        var (code, verifier) = await AuthorizeAsync("operator");

        using var noVerifier = await RedeemAsync(code, verifier: null);
        // Another first character (a random verifier may itself start with x).
        using var wrongVerifier = await RedeemAsync(code, (verifier[0] == 'x' ? "y" : "x") + verifier[1..]);
        using var wrongSecret = await RedeemAsync(code, verifier, secret: "guess");
        using var good = await RedeemAsync(code, verifier);
        using var replayed = await RedeemAsync(code, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, noVerifier.StatusCode);
        Assert.Contains("code_verifier", await noVerifier.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Contains("invalid_client", await wrongSecret.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Contains("already redeemed", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_requests_without_pkce_from_unknown_clients_or_to_other_sites_are_refused()
    {
        using var noPkce = await _http.GetAsync(new Uri(AuthorizeUrl("operator", challenge: null), UriKind.Relative));
        using var unknownClient = await _http.GetAsync(new Uri(AuthorizeUrl("operator", "abc", clientId: "someone"), UriKind.Relative));
        using var offSite = await _http.GetAsync(new Uri(AuthorizeUrl("operator", "abc", redirectUri: "https://evil.example/cb"), UriKind.Relative));

        Assert.True(noPkce.StatusCode == HttpStatusCode.BadRequest, $"{noPkce.StatusCode} {noPkce.Headers.Location} {await noPkce.Content.ReadAsStringAsync()}");
        Assert.Contains("code_challenge", await noPkce.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownClient.StatusCode);
        Assert.Contains("invalid_client", await unknownClient.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, offSite.StatusCode);
        Assert.Contains("loopback", await offSite.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_tokens_carry_the_roles_an_admin_gives_and_stop_working_when_the_session_is_revoked()
    {
        var (code, verifier) = await AuthorizeAsync("operator");
        using var tokens = await RedeemAsync(code, verifier);
        var refresh = (string)JsonNode.Parse(await tokens.Content.ReadAsStringAsync())!["refresh_token"]!;

        using var demoted = await _http.PutAsJsonAsync(new Uri("/_sandbox/identity/users/operator/roles", UriKind.Relative), new[] { SandboxDirectory.ViewerRole });
        using var refreshed = await RefreshAsync(refresh);
        using var revoked = await _http.PostAsync(new Uri("/_sandbox/identity/users/operator/sign-out", UriKind.Relative), null);
        using var afterRevoke = await RefreshAsync(refresh);
        using var unknownRole = await _http.PutAsJsonAsync(new Uri("/_sandbox/identity/users/operator/roles", UriKind.Relative), new[] { "Root" });

        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        var id = new JsonWebToken((string)JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!["id_token"]!);
        Assert.Equal([SandboxDirectory.ViewerRole], id.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.Equal("""{"ended":1}""", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, afterRevoke.StatusCode);
        Assert.Contains("The session has ended", await afterRevoke.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
    }

    private static string AuthorizeUrl(string user, string? challenge, string clientId = SandboxDirectory.DashboardClientId, string redirectUri = RedirectUri, string nonce = "nonce-1") =>
        QueryHelpers.AddQueryString($"/{SandboxDirectory.TenantId}/oauth2/v2.0/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["response_mode"] = "query",
            ["scope"] = "openid profile offline_access",
            ["state"] = "state-1",
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = challenge is null ? null : "S256",
            ["batchops_user"] = user,
        }.Where(p => p.Value is not null));

    private async Task<(string Code, string Verifier)> AuthorizeAsync(string user, string nonce = "nonce-1")
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        using var response = await _http.GetAsync(new Uri(AuthorizeUrl(user, challenge, nonce: nonce), UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal("state-1", query["state"].ToString());
        return (query["code"].ToString(), verifier);
    }

    private Task<HttpResponseMessage> RedeemAsync(string code, string? verifier, string secret = SandboxDirectory.DashboardClientSecret) =>
        _http.PostAsync(
            new Uri($"/{SandboxDirectory.TenantId}/oauth2/v2.0/token", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string?>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = RedirectUri,
                ["client_id"] = SandboxDirectory.DashboardClientId,
                ["client_secret"] = secret,
                ["code_verifier"] = verifier,
            }.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))));

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        _http.PostAsync(
            new Uri($"/{SandboxDirectory.TenantId}/oauth2/v2.0/token", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = SandboxDirectory.DashboardClientId,
                ["client_secret"] = SandboxDirectory.DashboardClientSecret,
            }));
}
