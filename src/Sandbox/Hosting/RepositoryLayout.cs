namespace BatchOps.Sandbox.Hosting;

/// <summary>The repository the sandbox was built from, when it runs from a checkout (dotnet run).</summary>
public static class RepositoryLayout
{
    /// <summary>The directory holding BatchOps.slnx above the sandbox's binaries, or null when deployed elsewhere.</summary>
    public static string? FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BatchOps.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName;
    }
}
