using System.Net;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests;

/// <summary>Start-up, health and sign-in of the real dashboard process.</summary>
public sealed class HostTests
{
    private static readonly Dictionary<string, string?> QuietSandbox = new() { ["Sandbox:SeedActivity"] = "false" };

    [Fact]
    public async Task Health_answers_without_sign_in_and_pages_send_the_browser_to_the_sandboxs_identity_provider()
    {
        await using var dashboard = await DashboardProcess.StartAsync(QuietSandbox);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = dashboard.BaseUrl };

        using var health = await anonymous.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var page = await anonymous.GetAsync(new Uri("/executions?status=FAILED", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        // Code flow with PKCE at the sandbox's Entra-shaped provider, answering by form post.
        var authorize = page.Headers.Location!;
        Assert.Equal((dashboard.SandboxUrl!.Authority, "/8f0c6a3e-5b1d-4c2a-9e7f-0a1b2c3d4e5f/oauth2/v2.0/authorize"), (authorize.Authority, authorize.AbsolutePath));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal(("code", "S256", "form_post", "batchops-dashboard"), (query["response_type"].ToString(), query["code_challenge_method"].ToString(), query["response_mode"].ToString(), query["client_id"].ToString()));
        Assert.Contains("offline_access", query["scope"].ToString(), StringComparison.Ordinal);

        using var client = SignInFlow.NewClient(dashboard.BaseUrl);
        using var signedIn = await SignInFlow.CompleteAsync(client, "operator", "/executions?status=FAILED");
        var html = await signedIn.Content.ReadAsStringAsync();
        Assert.Equal("/executions", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Sandbox mode.", html, StringComparison.Ordinal);
        Assert.Contains("Olu Operator · Operator", html, StringComparison.Ordinal);
        var cookie = (await CallbackCookiesAsync(dashboard, "viewer")).Single(c => c.StartsWith("batchops.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_sandbox_mode_dashboard_deletes_its_read_model_when_it_stops_and_those_of_dashboards_killed_before_it_at_start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "batchops");
        Directory.CreateDirectory(directory);
        int gone;
        using (var exited = System.Diagnostics.Process.Start("true"))
        {
            await exited.WaitForExitAsync();
            gone = exited.Id;
        }

        var orphan = Path.Combine(directory, $"sandbox-{gone}.db");
        await File.WriteAllTextAsync(orphan, "left by a killed dashboard");
        await File.WriteAllTextAsync(orphan + "-wal", "");

        var dashboard = await DashboardProcess.StartAsync(QuietSandbox);
        var own = Path.Combine(directory, $"sandbox-{dashboard.Process.Id}.db");
        var whileRunning = (File.Exists(orphan), File.Exists(orphan + "-wal"), File.Exists(own));
        dashboard.Process.Terminate();
        var exitCode = await dashboard.Process.WaitAsync(TimeSpan.FromSeconds(30));
        var afterStop = File.Exists(own);
        await dashboard.DisposeAsync();

        Assert.Equal((false, false, true), whileRunning);
        Assert.Equal(0, exitCode);
        Assert.False(afterStop, $"{own} is still there after the dashboard stopped");
    }

    /// <summary>The Set-Cookie headers of the dashboard's answer to the provider's callback (the session is set there).</summary>
    private static async Task<IReadOnlyList<string>> CallbackCookiesAsync(DashboardProcess dashboard, string user)
    {
        var cookies = new System.Net.CookieContainer();
        using var client = SignInFlow.NewClient(dashboard.BaseUrl, cookies);
        var callback = await SignInFlow.AuthorizeAsync(client, user);
        using var manual = SignInFlow.NewClient(dashboard.BaseUrl, cookies, followRedirects: false);
        using var answer = await manual.PostAsync(callback.Action, new FormUrlEncodedContent(callback.Fields));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return [.. answer.Headers.GetValues("Set-Cookie")];
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_a_flood_of_api_calls_gets_429_while_pages_still_answer()
    {
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>(QuietSandbox) { ["RateLimits:ApiPermits"] = "2", ["RateLimits:ApiReadPermits"] = "5", ["RateLimits:ApiWindow"] = "00:01:00", ["RateLimits:SignInPermits"] = "2" });
        using var client = await dashboard.SignInAsync("admin");

        using var page = await client.GetAsync(new Uri("/executions", UriKind.Relative));
        using var jobs = await client.GetAsync(new Uri("/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        // Sign-out is a form whose answer redirects to the provider: the one origin besides the dashboard's own that forms may reach.
        Assert.Equal(Features.Security.SecurityHeaders.ContentSecurityPolicy(dashboard.SandboxUrl!), page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains($"form-action 'self' http://127.0.0.1:{dashboard.SandboxUrl!.Port};", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
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

        // Sign-in has its own allowance per address: one was used to sign in above, one is left.
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = dashboard.BaseUrl };
        using var second = await anonymous.GetAsync(new Uri("/signin", UriKind.Relative));
        using var third = await anonymous.GetAsync(new Uri("/signin", UriKind.Relative));
        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests), (second.StatusCode, third.StatusCode));
        Assert.Contains("At most 2 sign-ins per 60 s from one address", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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

        // The scheme the provider is told to send the user back to: https only when a configured proxy says so.
        Assert.StartsWith("http://", await RedirectUriAsync(untrusting), StringComparison.Ordinal);
        Assert.StartsWith("https://", await RedirectUriAsync(trusting), StringComparison.Ordinal);

        static async Task<string> RedirectUriAsync(DashboardProcess dashboard)
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = dashboard.BaseUrl };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/signin") { Headers = { { "X-Forwarded-Proto", "https" } } };
            using var response = await http.SendAsync(request);
            return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(response.Headers.Location!.Query)["redirect_uri"].ToString();
        }
    }

    [Fact]
    public async Task Sign_in_never_redirects_off_the_site()
    {
        await using var dashboard = await DashboardProcess.StartAsync(QuietSandbox);
        using var client = SignInFlow.NewClient(dashboard.BaseUrl);

        using var landed = await SignInFlow.CompleteAsync(client, "viewer", "//evil.example/x");

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal(new Uri(dashboard.BaseUrl, "/"), landed.RequestMessage!.RequestUri);
    }

    [Fact]
    public async Task Aws_mode_in_production_refuses_to_start_without_sign_in_settings_naming_them()
    {
        var error = await StartFailsAsync(new() { ["BatchOps:Mode"] = "Aws", ["Aws:Region"] = "eu-west-1" });

        Assert.Contains("Sign-in is not configured, and the dashboard does not start without it. Set either AzureAd:Instance, AzureAd:TenantId, AzureAd:ClientId and AzureAd:ClientSecret (or AzureAd:ClientCertificates) for Microsoft Entra ID, or Oidc:Authority, Oidc:ClientId and Oidc:ClientSecret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Half_a_provider_or_two_providers_are_refused_at_start()
    {
        var half = await StartFailsAsync(new() { ["BatchOps:Mode"] = "Aws", ["Aws:Region"] = "eu-west-1", ["Oidc:Authority"] = "https://login.example.com" });
        var both = await StartFailsAsync(new() { ["BatchOps:Mode"] = "Aws", ["Aws:Region"] = "eu-west-1", ["Oidc:Authority"] = "https://login.example.com", ["Oidc:ClientId"] = "c", ["Oidc:ClientSecret"] = "s", ["AzureAd:TenantId"] = "t" });
        var plainHttp = await StartFailsAsync(new() { ["BatchOps:Mode"] = "Aws", ["Aws:Region"] = "eu-west-1", ["Oidc:Authority"] = "http://login.example.com", ["Oidc:ClientId"] = "c", ["Oidc:ClientSecret"] = "s" });

        Assert.Contains("Sign-in settings missing: Oidc:ClientId, Oidc:ClientSecret.", half, StringComparison.Ordinal);
        Assert.Contains("configure exactly one identity provider", both, StringComparison.Ordinal);
        Assert.Contains("Oidc:Authority must be an https URL (plain http only on loopback)", plainHttp, StringComparison.Ordinal);
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

    [Fact]
    public async Task The_metrics_endpoint_answers_only_the_configured_bearer_token_and_is_absent_without_one()
    {
        const string token = "scrape-token-0123456789abcdef";
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>(QuietSandbox) { ["Telemetry:MetricsToken"] = token });
        await using var without = await DashboardProcess.StartAsync(QuietSandbox);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = dashboard.BaseUrl };
        // The first sync pass lists the sandbox's workflows and their executions.
        await Eventually.WaitUntilAsync("a sync pass to list the workflows' executions", async () =>
        {
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", token) } };
            using var answer = await client.SendAsync(scrape);
            return await answer.Content.ReadAsStringAsync();
        }, text => text.Contains("batchops_sync_lag_seconds{", StringComparison.Ordinal), describe: text => text.Length > 300 ? text[..300] : text);

        using var anonymous = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", token + "x") } };
        using var wrongAnswer = await client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", token) } };
        using var rightAnswer = await client.SendAsync(right);
        using var absent = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }).GetAsync(new Uri(without.BaseUrl, "/metrics"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);
        Assert.DoesNotContain("batchops_", await wrongAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rightAnswer.StatusCode);
        var metrics = await rightAnswer.Content.ReadAsStringAsync();
        // The dashboard's own instruments beside the framework's: open pages, database queries, process CPU.
        Assert.Contains("batchops_page_live_subscriptions", metrics, StringComparison.Ordinal);
        Assert.Contains("microsoft_entityframeworkcore_queries", metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_process_cpu_time", metrics, StringComparison.Ordinal);
        // The AWS calls the sandbox-mode sync made at start, and how far behind each workflow's sync is.
        Assert.Contains("aws_client_calls_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("aws_operation=\"ListStateMachines\"", metrics, StringComparison.Ordinal);
        Assert.Contains("batchops_sync_lag_seconds{", metrics, StringComparison.Ordinal);
        // Without a token there is no endpoint: a page address like any other, behind sign-in.
        Assert.NotEqual(HttpStatusCode.OK, absent.StatusCode);
        Assert.DoesNotContain(token, string.Join('\n', dashboard.Process.StandardOutput) + dashboard.Process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_metrics_token_is_refused_at_start()
    {
        var error = await StartFailsAsync(new(QuietSandbox) { ["Telemetry:MetricsToken"] = "short" });

        Assert.Contains("Telemetry:MetricsToken must be at least 24 characters", error, StringComparison.Ordinal);
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
