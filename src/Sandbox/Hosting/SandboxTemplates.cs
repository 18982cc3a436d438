namespace BatchOps.Sandbox.Hosting;

/// <summary>Finds the CloudFormation template the sandbox deploys at start.</summary>
public static class SandboxTemplates
{
    public sealed record Resolution(string? Path, string? Error);

    /// <summary>
    /// <c>Sandbox:Template</c> (or --template): absolute, or relative to the current directory. The build records the
    /// checked-in CDK template as the default (batchops.build.json beside the sandbox); a container image sets its own.
    /// Null when none is configured.
    /// </summary>
    public static Resolution? Resolve(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var full = System.IO.Path.GetFullPath(path);
        return File.Exists(full) ? new Resolution(full, null) : new Resolution(null, $"template not found: {full} (Sandbox:Template, or --template)");
    }
}
