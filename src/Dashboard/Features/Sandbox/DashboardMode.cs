using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Features.Sandbox;

public enum DashboardMode
{
    /// <summary>The sandbox runs as a child process on loopback; no AWS account. The default on a fresh machine.</summary>
    Sandbox,

    /// <summary>Real AWS: endpoints, region and credentials from the standard chain.</summary>
    Aws,
}

/// <summary>The <c>BatchOps</c> section.</summary>
public sealed class BatchOpsOptions
{
    public const string SectionName = "BatchOps";

    public DashboardMode Mode { get; set; } = DashboardMode.Sandbox;

    /// <summary>Region shown in console links (AWS mode reads it from the Aws section or AWS_REGION).</summary>
    public string? ConsoleRegion { get; set; }
}

/// <summary>The <c>Sandbox</c> section, read in sandbox mode.</summary>
public sealed class SandboxModeOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>
    /// The sandbox to start: its BatchOps.Sandbox.dll (run with dotnet) or an executable. The build records the sandbox
    /// built with the dashboard (batchops.build.json beside the dashboard); a published dashboard has none.
    /// </summary>
    public string? Executable { get; set; }

    /// <summary>Where the sandbox listens. Port 0 picks a free loopback port.</summary>
    [Url]
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>Template to deploy; null = the sandbox's default (the checked-in CDK template).</summary>
    public string? Template { get; set; }

    /// <summary>How much faster than real time the sandbox clock runs (Wait states, retry backoff). 1 = real time.</summary>
    [Range(0.1, 1000)]
    public double TimeScale { get; set; } = 1;

    /// <summary>
    /// Use a sandbox already running at <see cref="Url"/> (started with <c>dotnet run --project src/Sandbox</c>) instead of
    /// starting one: its executions then outlive dashboard restarts.
    /// </summary>
    public bool Attach { get; set; }

    /// <summary>
    /// The sandbox evaluates the template's IAM policies and refuses what a role does not allow: the dashboard calls
    /// as its task role, workflows as their state machines' roles, the worker as its task role. On by default, so a
    /// missing permission fails here before it fails on AWS; false turns it off.
    /// </summary>
    public bool EnforceIam { get; set; } = true;

    /// <summary>Start a few real workflow runs at start-up so the pages have something to show.</summary>
    public bool SeedActivity { get; set; } = true;

    /// <summary>How long the sandbox may take to answer its health check after it was started.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
