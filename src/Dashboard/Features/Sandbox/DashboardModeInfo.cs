namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>What the banner and the links need to know about where the data comes from.</summary>
public sealed record DashboardModeInfo(DashboardMode Mode, Uri? SandboxEndpoint, string Region)
{
    public bool IsSandbox => Mode == DashboardMode.Sandbox;
}
