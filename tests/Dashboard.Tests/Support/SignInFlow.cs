using System.Net;
using System.Text.RegularExpressions;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// Signs in over HTTP the way a browser does, through the sandbox's development identity provider: the dashboard's
/// /signin redirects to the provider's sign-in page, a test user's link is followed, and the provider's auto-posting
/// form (response_mode=form_post) is posted back to the dashboard, which sets the session cookie.
/// </summary>
public static partial class SignInFlow
{
    public static HttpClient NewClient(Uri dashboard, CookieContainer? cookies = null, bool followRedirects = true) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = followRedirects }) { BaseAddress = dashboard };

    /// <summary>A client holding a session of <paramref name="user"/> (operator, viewer or admin).</summary>
    public static async Task<HttpClient> SignInAsync(Uri dashboard, string user, string returnUrl = "/healthz")
    {
        var client = NewClient(dashboard);
        using var landed = await CompleteAsync(client, user, returnUrl);
        if (landed.StatusCode != HttpStatusCode.OK || landed.RequestMessage!.RequestUri!.AbsolutePath != returnUrl.Split('?')[0])
        {
            throw new InvalidOperationException($"Signing in as {user} ended at {landed.RequestMessage!.RequestUri} with {(int)landed.StatusCode}: {await landed.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    /// <summary>Runs the whole flow on <paramref name="client"/> and returns the last response (following redirects).</summary>
    public static async Task<HttpResponseMessage> CompleteAsync(HttpClient client, string user, string returnUrl = "/healthz")
    {
        var callback = await AuthorizeAsync(client, user, returnUrl);
        return await client.PostAsync(callback.Action, new FormUrlEncodedContent(callback.Fields));
    }

    /// <summary>Up to the provider's answer: the form the browser would post back to the dashboard (code and state).</summary>
    public static async Task<ProviderCallback> AuthorizeAsync(HttpClient client, string user, string returnUrl = "/healthz")
    {
        using var page = await client.GetAsync(new Uri($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var link = UserLink().Matches(html).FirstOrDefault(m => m.Groups["user"].Value == user)
            ?? throw new InvalidOperationException($"The provider's sign-in page ({page.RequestMessage!.RequestUri}, {(int)page.StatusCode}) offers no user '{user}': {html}");
        using var answer = await client.GetAsync(new Uri(page.RequestMessage!.RequestUri!, WebUtility.HtmlDecode(link.Groups["href"].Value)));
        return ProviderCallback.Parse(await answer.Content.ReadAsStringAsync());
    }

    /// <summary>An access token the sandbox's provider signs for a test user (its admin API), with chosen faults.</summary>
    /// <param name="faults">JSON members to add to the request ("issuer", "audience", "lifetimeSeconds", "badSignature").</param>
    public static async Task<string> MintTokenAsync(HttpClient sandboxAdmin, string user, string faults = "{}")
    {
        var request = System.Text.Json.Nodes.JsonNode.Parse(faults)!.AsObject();
        request["user"] = user;
        using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(sandboxAdmin, new Uri("/_sandbox/identity/tokens", UriKind.Relative), request);
        response.EnsureSuccessStatusCode();
        return (string)(await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(response.Content))!["access_token"]!;
    }

    [GeneratedRegex("data-user=\"(?<user>[^\"]+)\" href=\"(?<href>[^\"]+)\"")]
    private static partial Regex UserLink();
}

/// <summary>The provider's auto-posting form: where it posts and its hidden fields.</summary>
public sealed partial record ProviderCallback(Uri Action, Dictionary<string, string> Fields)
{
    public static ProviderCallback Parse(string html)
    {
        var action = FormAction().Match(html);
        if (!action.Success)
        {
            throw new InvalidOperationException($"The provider answered without a form to post back: {html}");
        }

        var fields = HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        return new ProviderCallback(new Uri(WebUtility.HtmlDecode(action.Groups["action"].Value)), fields);
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
