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

    /// <summary>The role test state machines and schedules run as: every action allowed, so the test is about the dashboard, not about a role.</summary>
    public const string AdministratorRoleArn = "arn:aws:iam::000000000000:role/" + Sandbox.Iam.SandboxIam.AdministratorRoleName;

    /// <summary>The <c>Aws</c> keys the dashboard signs with in sandbox mode: the deployed template's dashboard task role.</summary>
    public static Dictionary<string, string?> DashboardRole => new()
    {
        ["Aws:AccessKeyId"] = SandboxCredentials.DashboardAccessKeyId,
        ["Aws:SecretAccessKey"] = SandboxCredentials.DashboardSecretAccessKey,
    };
}
