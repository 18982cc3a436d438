using BatchOps.Sandbox.Hosting;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>Clients for a sandbox that enforces IAM: as its administrator (the test setting up), or as the dashboard's task role.</summary>
public static class SandboxClients
{
    public static TestClients Administrator(Uri endpoint) => new(endpoint, o =>
    {
        o.AccessKeyId = SandboxCredentials.AdministratorAccessKeyId;
        o.SecretAccessKey = SandboxCredentials.AdministratorSecretAccessKey;
    });

    /// <summary>The <c>Aws</c> keys the dashboard signs with in sandbox mode: the deployed template's dashboard task role.</summary>
    public static Dictionary<string, string?> DashboardRole => new()
    {
        ["Aws:AccessKeyId"] = SandboxCredentials.DashboardAccessKeyId,
        ["Aws:SecretAccessKey"] = SandboxCredentials.DashboardSecretAccessKey,
    };
}
