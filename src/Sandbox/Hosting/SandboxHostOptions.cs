using System.ComponentModel.DataAnnotations;

namespace BatchOps.Sandbox.Hosting;

/// <summary>The standalone sandbox's <c>Sandbox</c> section (command line: --urls, --template, --no-template, --stop-with-parent).</summary>
public sealed class SandboxHostOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>Where to listen (port 0 picks a free one; the chosen address is printed).</summary>
    public string Url { get; set; } = "http://127.0.0.1:4599";

    /// <summary>The template deployed at start; the build sets the checked-in CDK template.</summary>
    public string? Template { get; set; }

    /// <summary>Host names it answers to, separated by ';' (the compose file adds its service name); others get 400.</summary>
    public string AllowedHosts { get; set; } = "localhost;127.0.0.1;[::1]";

    /// <summary>
    /// The identity provider's issuer as browsers and the dashboard reach it, when that is not the sandbox's own address
    /// (in a container listening on 0.0.0.0): e.g. http://localhost:4599/8f0c6a3e-5b1d-4c2a-9e7f-0a1b2c3d4e5f/v2.0.
    /// </summary>
    [Url]
    public string? IdentityIssuer { get; set; }

    /// <summary>
    /// A token the admin API (/_sandbox/*, but its health check) then requires as X-Sandbox-Admin-Token, and accepts
    /// from non-loopback callers too (a container's published port). Unset: loopback callers only.
    /// </summary>
    [MinLength(16)]
    public string? AdminToken { get; set; }

    /// <summary>Refuse AWS calls signed with keys the sandbox did not hand out (the dashboard's and the worker's).</summary>
    public bool StrictSignatures { get; set; }

    /// <summary>
    /// Evaluate the deployed template's IAM policies for every call and every workflow integration, and refuse what
    /// the caller's role does not allow (AccessDeniedException), as AWS does. Off by default for the standalone
    /// sandbox (any credentials work); the dashboard's sandbox mode turns it on. Implies <see cref="StrictSignatures"/>.
    /// </summary>
    public bool EnforceIam { get; set; }

    /// <summary>Start with nothing deployed.</summary>
    public bool NoTemplate { get; set; }

    /// <summary>How much faster than real time the sandbox clock runs (Wait states, retry backoff, schedules).</summary>
    [Range(0.1, 1000)]
    public double TimeScale { get; set; } = 1;

    /// <summary>
    /// Stop when standard input closes. A parent (the dashboard in sandbox mode) holds the other end of the pipe, which
    /// the kernel closes however the parent ends (exit, Ctrl+C, SIGTERM, SIGKILL, crash), so no sandbox is left behind.
    /// </summary>
    public bool StopWithParent { get; set; }
}
