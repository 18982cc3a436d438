using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BatchOps.Dashboard.Tests.Support;

namespace BatchOps.Dashboard.Tests.Auth;

/// <summary>
/// Every page and every API endpoint, as nobody, a Viewer, an Operator and an Admin: exactly what each may reach.
/// Pages run on cookie sessions from the provider's sign-in; the API on its bearer tokens (scripts that never saw a
/// page). Actions a role may take are sent with targets that do not exist, so the cell reads "allowed" when the
/// request got past authorization to the action's own answer (400, 404 or 200), never 401 or 403.
/// </summary>
public sealed class AuthorizationMatrixTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    private const string Arn = "arn:aws:states:us-east-1:123456789012:execution:batch-job:no-such-run";
    private static readonly string EscapedArn = Uri.EscapeDataString(Arn);
    private static readonly string[] Roles = ["anonymous", "viewer", "operator", "admin"];

    /// <summary>Path → expected result for anonymous, viewer, operator, admin.</summary>
    private static readonly (string Path, string[] Expected)[] PagesMatrix =
    [
        ("/", ["302", "200", "200", "200"]),
        ("/executions", ["302", "200", "200", "200"]),
        ($"/executions/{EscapedArn}", ["302", "200", "200", "200"]),
        ("/stopped-tasks", ["302", "200", "200", "200"]),
        ("/schedules", ["302", "200", "200", "200"]),
        ("/schedules/batchops-operator/nightly", ["302", "200", "200", "200"]),
        ("/audit", ["302", "200", "200", "200"]),
        ("/audit.csv", ["302", "200", "200", "200"]),
        ("/operations/999999", ["302", "200", "200", "200"]),
        ("/start", ["302", "403", "200", "200"]),
        ($"/executions/{EscapedArn}/rerun", ["302", "403", "200", "200"]),
        ("/schedules/new", ["302", "403", "200", "200"]),
        ("/schedules/batchops-operator/nightly/edit", ["302", "403", "200", "200"]),
        ("/jobs", ["302", "403", "403", "200"]),
        ("/healthz", ["200", "200", "200", "200"]),
        ("/signed-out", ["200", "200", "200", "200"]),
    ];

    private static readonly (string Method, string Path, string Body, string[] Expected)[] ApiMatrix =
    [
        ("GET", "/api/workflows", "", ["401", "200", "200", "200"]),
        ("GET", "/api/workflows/no-such-workflow", "", ["401", "404", "404", "404"]),
        ("GET", "/api/operations", "", ["401", "200", "200", "200"]),
        ("GET", "/api/operations/999999", "", ["401", "404", "404", "404"]),
        ("GET", "/api/schedules", "", ["401", "200", "200", "200"]),
        ("GET", "/api/schedules/batchops-operator/nightly", "", ["401", "404", "404", "404"]),
        ("GET", "/api/schedules/batchops-operator/nightly/runs", "", ["401", "404", "404", "404"]),
        ("GET", $"/api/executions/{EscapedArn}/callback", "", ["401", "200", "200", "200"]),
        ("POST", "/api/executions", """{"workflow":"no-such-workflow","input":{}}""", ["401", "403", "allowed", "allowed"]),
        ("POST", $"/api/executions/{EscapedArn}/redrive", "{}", ["401", "403", "allowed", "allowed"]),
        // A preview changes nothing (it shows what a re-run would send): a read, answered as one.
        ("POST", $"/api/executions/{EscapedArn}/rerun/preview", "{}", ["401", "404", "404", "404"]),
        ("POST", $"/api/executions/{EscapedArn}/rerun", "{}", ["401", "403", "allowed", "allowed"]),
        ("POST", $"/api/executions/{EscapedArn}/stop", """{"error":"x"}""", ["401", "403", "allowed", "allowed"]),
        ("POST", $"/api/executions/{EscapedArn}/callback", """{"outcome":"success","output":{}}""", ["401", "403", "403", "allowed"]),
        // Like the re-run preview, a read: what a bulk action would select.
        ("POST", "/api/bulk/preview", $$"""{"action":"redrive","executionArns":["{{Arn}}"]}""", ["401", "404", "404", "404"]),
        ("POST", "/api/bulk", $$"""{"action":"redrive","executionArns":["{{Arn}}"]}""", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/operations/999999/cancel", "{}", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/schedules", """{"schedule":{"groupName":"batchops-operator","name":"m","scheduleExpression":"rate(5 minutes)","flexibleTimeWindow":{"mode":"OFF"},"target":{"arn":"arn:aws:states:us-east-1:123456789012:stateMachine:nope","roleArn":"arn:aws:iam::123456789012:role/r"}}}""", ["401", "403", "allowed", "allowed"]),
        ("PUT", "/api/schedules/batchops-operator/nope", """{"schedule":{"groupName":"batchops-operator","name":"nope","scheduleExpression":"rate(5 minutes)","flexibleTimeWindow":{"mode":"OFF"},"target":{"arn":"arn:aws:states:us-east-1:123456789012:stateMachine:nope","roleArn":"arn:aws:iam::123456789012:role/r"}}}""", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/schedules/batchops-operator/nope/enable", "{}", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/schedules/batchops-operator/nope/disable", "{}", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/schedules/batchops-operator/nope/run", "{}", ["401", "403", "allowed", "allowed"]),
        ("DELETE", "/api/schedules/batchops-operator/nope", "", ["401", "403", "403", "allowed"]),
        ("POST", "/api/schedule-groups/batchops-operator/pause", "{}", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/operations/999999/resume-group", "{}", ["401", "403", "allowed", "allowed"]),
        ("POST", "/api/operations/999999/restore-schedule", "{}", ["401", "403", "allowed", "allowed"]),
    ];

    [Fact]
    public async Task Every_page_answers_each_role_exactly_as_its_policy_says_with_the_security_headers()
    {
        var clients = new Dictionary<string, HttpClient> { ["anonymous"] = SignInFlow.NewClient(fixture.Dashboard.BaseUrl, followRedirects: false) };
        foreach (var user in Roles.Skip(1))
        {
            // Signed in with redirects followed, then asked without following them: a 302 is an answer here.
            var cookies = new CookieContainer();
            using (var signingIn = SignInFlow.NewClient(fixture.Dashboard.BaseUrl, cookies))
            {
                (await SignInFlow.CompleteAsync(signingIn, user)).Dispose();
            }

            clients[user] = SignInFlow.NewClient(fixture.Dashboard.BaseUrl, cookies, followRedirects: false);
        }

        var actual = new StringBuilder();
        var expected = new StringBuilder();
        foreach (var (path, cells) in PagesMatrix)
        {
            expected.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{path}: {string.Join(' ', cells)}");
            var row = new List<string>();
            foreach (var role in Roles)
            {
                using var response = await clients[role].GetAsync(new Uri(path, UriKind.Relative));
                row.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                AssertSecurityHeaders(path, response);
            }

            actual.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{path}: {string.Join(' ', row)}");
        }

        Assert.Equal(expected.ToString(), actual.ToString());
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
    }

    /// <summary>Every answer, whatever its status, carries the security headers (Hangfire's pages all but the policy).</summary>
    private void AssertSecurityHeaders(string path, HttpResponseMessage response)
    {
        var headers = response.Headers;
        Assert.True(headers.Contains("X-Content-Type-Options"), $"{path} {response.StatusCode}: no X-Content-Type-Options");
        Assert.Equal(("nosniff", "DENY", "no-referrer"), (headers.GetValues("X-Content-Type-Options").Single(), headers.GetValues("X-Frame-Options").Single(), headers.GetValues("Referrer-Policy").Single()));
        if (!(path == "/jobs" && response.StatusCode == HttpStatusCode.OK))
        {
            Assert.True(headers.Contains("Content-Security-Policy"), $"{path} {response.StatusCode}: no Content-Security-Policy");
            Assert.Equal(Features.Security.SecurityHeaders.ContentSecurityPolicy(fixture.Dashboard.SandboxUrl!), headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public async Task Every_api_endpoint_answers_each_role_exactly_as_its_policy_says_to_bearer_callers()
    {
        var tokens = new Dictionary<string, string?> { ["anonymous"] = null };
        foreach (var user in Roles.Skip(1))
        {
            tokens[user] = await fixture.TokenAsync(user);
        }

        using var http = fixture.Dashboard.CreateClient();
        var actual = new StringBuilder();
        var expected = new StringBuilder();
        foreach (var (method, path, body, cells) in ApiMatrix)
        {
            expected.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{method} {path}: {string.Join(' ', cells)}");
            var row = new List<string>();
            foreach (var role in Roles)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body.Length > 0)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                if (tokens[role] is { } token)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await http.SendAsync(request);
                var status = (int)response.StatusCode;
                row.Add(status is 401 or 403 || cells[Array.IndexOf(Roles, role)] != "allowed" ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "allowed");
            }

            actual.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{method} {path}: {string.Join(' ', row)}");
        }

        Assert.Equal(expected.ToString(), actual.ToString());
    }
}
