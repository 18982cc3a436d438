namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>What the banner and the links need to know about where the data comes from.</summary>
/// <param name="IamEnforced">The sandbox this dashboard started evaluates the template's IAM policies (Sandbox:EnforceIam).</param>
public sealed record DashboardModeInfo(DashboardMode Mode, Uri? SandboxEndpoint, string Region, bool IamEnforced = false)
{
    public bool IsSandbox => Mode == DashboardMode.Sandbox;
}
