namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// The <c>Aws</c> settings that point every client at one loopback endpoint (the sandbox) with its administrator's keys
/// (the sandboxes enforce IAM; a test that wants the dashboard's task role adds <see cref="SandboxClients.DashboardRole"/>).
/// </summary>
public static class AwsTestSettings
{
    /// <summary>A new dictionary, so callers can add their own settings on top.</summary>
    public static Dictionary<string, string?> PointedAt(Uri endpoint, IEnumerable<KeyValuePair<string, string?>>? more = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Aws:Region"] = "us-east-1",
            ["Aws:AccessKeyId"] = Sandbox.Hosting.SandboxCredentials.AdministratorAccessKeyId,
            ["Aws:SecretAccessKey"] = Sandbox.Hosting.SandboxCredentials.AdministratorSecretAccessKey,
            ["Aws:Endpoints:SFN"] = endpoint.ToString(),
            ["Aws:Endpoints:ECS"] = endpoint.ToString(),
            ["Aws:Endpoints:Scheduler"] = endpoint.ToString(),
        };
        foreach (var (key, value) in more ?? [])
        {
            values[key] = value;
        }

        return values;
    }

    /// <summary>The <c>Oidc</c> settings of an AWS-mode dashboard that signs in at the test's sandbox's identity provider.</summary>
    public static Dictionary<string, string?> SignInAt(Sandbox.Http.SandboxServer sandbox) => new()
    {
        ["Oidc:Authority"] = sandbox.Issuer.AbsoluteUri,
        ["Oidc:ClientId"] = Sandbox.Identity.SandboxDirectory.DashboardClientId,
        ["Oidc:ClientSecret"] = Sandbox.Identity.SandboxDirectory.DashboardClientSecret,
    };
}
