namespace BatchOps.Sandbox.Hosting;

/// <summary>Finds the CloudFormation template the standalone sandbox deploys at start.</summary>
public static class SandboxTemplates
{
    public const string CheckedIn = "src/Infrastructure/synth/BatchOps.template.json";

    public sealed record Resolution(string? Path, string? Error);

    /// <summary>
    /// An explicit path (absolute, relative to the current directory, or to the repository root, since
    /// `dotnet run` starts in the project directory), or the checked-in template when none is given.
    /// </summary>
    public static Resolution? Resolve(string? requested)
    {
        var root = RepositoryLayout.FindRoot();
        if (requested is null)
        {
            var checkedIn = root is null ? null : System.IO.Path.Combine(root, CheckedIn);
            return checkedIn is not null && File.Exists(checkedIn) ? new Resolution(checkedIn, null) : null;
        }

        var candidates = new[] { requested, root is null ? null : System.IO.Path.Combine(root, requested) };
        var found = candidates.OfType<string>().FirstOrDefault(File.Exists);
        return found is not null
            ? new Resolution(System.IO.Path.GetFullPath(found), null)
            : new Resolution(null, $"template not found: {requested} (looked in {Directory.GetCurrentDirectory()}{(root is null ? string.Empty : " and " + root)})");
    }
}
