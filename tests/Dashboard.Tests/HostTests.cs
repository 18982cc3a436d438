using System.Net;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests;

/// <summary>Start-up, health and sign-in of the real dashboard process.</summary>
public sealed class HostTests
{
    private static readonly Dictionary<string, string?> QuietSandbox = new() { ["Sandbox:SeedActivity"] = "false" };

    [Fact]
    public async Task Health_answers_without_sign_in_and_pages_sign_in_the_local_operator_in_sandbox_mode()
    {
        await using var dashboard = await DashboardProcess.StartAsync(QuietSandbox);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = dashboard.BaseUrl };

        using var health = await anonymous.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var page = await anonymous.GetAsync(new Uri("/executions?status=FAILED", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin/local", page.Headers.Location!.AbsolutePath);

        using var client = dashboard.CreateClient();
        var html = await client.GetStringAsync(new Uri("/executions?status=FAILED", UriKind.Relative));
        Assert.Contains("Sandbox mode.", html, StringComparison.Ordinal);
        Assert.Contains("local-operator", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_a_flood_of_api_calls_gets_429_while_pages_still_answer()
    {
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>(QuietSandbox) { ["RateLimits:ApiPermits"] = "2", ["RateLimits:ApiReadPermits"] = "5", ["RateLimits:ApiWindow"] = "00:01:00" });
        using var client = dashboard.CreateClient();

        using var page = await client.GetAsync(new Uri("/executions", UriKind.Relative));
        using var jobs = await client.GetAsync(new Uri("/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(Features.Security.SecurityHeaders.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(("nosniff", "DENY", "no-referrer"), (page.Headers.GetValues("X-Content-Type-Options").Single(), page.Headers.GetValues("X-Frame-Options").Single(), page.Headers.GetValues("Referrer-Policy").Single()));
        // Hangfire's pages keep the other headers but not the policy (they write inline scripts).
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        Assert.False(jobs.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("DENY", jobs.Headers.GetValues("X-Frame-Options").Single());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var call = await client.GetAsync(new Uri("/api/workflows", UriKind.Relative));
            statuses.Add(call.StatusCode);
            if (call.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(60), call.Headers.RetryAfter!.Delta);
                Assert.Contains("At most 5 API reads per 60 s per user", await call.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var stillAPage = await client.GetAsync(new Uri("/audit", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stillAPage.StatusCode);

        // Changes have their own, smaller allowance: reading did not use it up, and it runs out on its own.
        var changes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var change = await client.PostAsync(new Uri("/api/executions", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            changes.Add(change.StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], changes);
    }

    [Fact]
    public async Task Another_host_name_is_refused_and_forwarded_https_is_believed_only_from_a_configured_proxy()
    {
        await using var untrusting = await DashboardProcess.StartAsync(QuietSandbox);
        await using var trusting = await DashboardProcess.StartAsync(new Dictionary<string, string?>(QuietSandbox) { ["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8" });

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = untrusting.BaseUrl };
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { Host = "evil.example" } };
        using var refused = await client.SendAsync(rebinding);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        Assert.DoesNotContain("secure", await SessionCookieAsync(untrusting), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", await SessionCookieAsync(trusting), StringComparison.OrdinalIgnoreCase);

        static async Task<string> SessionCookieAsync(DashboardProcess dashboard)
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = dashboard.BaseUrl };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/signin/local") { Headers = { { "X-Forwarded-Proto", "https" } } };
            using var response = await http.SendAsync(request);
            return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("batchops.session", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Sign_in_never_redirects_off_the_site()
    {
        await using var dashboard = await DashboardProcess.StartAsync(QuietSandbox);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = dashboard.BaseUrl };

        using var response = await client.GetAsync(new Uri("/signin/local?returnUrl=//evil.example/x", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Aws_mode_in_production_refuses_to_start_without_a_sign_in()
    {
        var error = await StartFailsAsync(new() { ["BatchOps:Mode"] = "Aws", ["Aws:Region"] = "eu-west-1" });

        Assert.Contains("AWS mode needs a sign-in", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_read_model_without_a_server_is_refused_at_start_naming_the_settings()
    {
        var error = await StartFailsAsync(new(QuietSandbox) { ["ReadModel:Provider"] = "PostgreSQL" });

        Assert.Contains("ReadModel:ConnectionString, or ReadModel:Host, ReadModel:Database and ReadModel:Username", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_mode_is_refused_at_start()
    {
        var error = await StartFailsAsync(new() { ["BatchOps:Mode"] = "Staging" });

        Assert.Contains("BatchOps:Mode", error, StringComparison.Ordinal);
    }

    private static async Task<string> StartFailsAsync(Dictionary<string, string?> settings)
    {
        var variables = settings.ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value);
        variables["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = ChildProcess.Start("dotnet", [BuiltApps.Dll("Dashboard", "BatchOps.Dashboard"), "--urls", "http://127.0.0.1:0"], variables);
        var exit = await process.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        return process.StandardError + string.Join('\n', process.StandardOutput);
    }
}
