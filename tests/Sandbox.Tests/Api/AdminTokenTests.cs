using System.Net;
using System.Net.Http.Json;
using BatchOps.Sandbox.Http;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>The admin API behind a token (Sandbox:AdminToken), as a container image exposing it should run.</summary>
public sealed class AdminTokenTests
{
    [Fact]
    public async Task With_a_token_configured_every_admin_call_but_the_health_check_needs_it_even_from_loopback()
    {
        const string token = "a-long-enough-admin-token";
        await using var server = await SandboxServer.StartAsync("http://127.0.0.1:0", adminToken: token);
        using var http = new HttpClient { BaseAddress = server.Endpoint };
        var fault = new { Operation = "StartExecution", Kind = "Throttle", Count = 1 };

        using var health = await http.GetAsync(new Uri("/_sandbox/health", UriKind.Relative));
        using var without = await http.PostAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), fault);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/_sandbox/faults") { Content = JsonContent.Create(fault), Headers = { { "X-Sandbox-Admin-Token", "guess" } } };
        using var guessed = await http.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Post, "/_sandbox/faults") { Content = JsonContent.Create(fault), Headers = { { "X-Sandbox-Admin-Token", token } } };
        using var allowed = await http.SendAsync(right);
        using var users = await http.GetAsync(new Uri("/_sandbox/identity/users", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Forbidden), (without.StatusCode, guessed.StatusCode, allowed.StatusCode, users.StatusCode));
        Assert.Contains("X-Sandbox-Admin-Token", await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
