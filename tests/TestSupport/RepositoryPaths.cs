namespace BatchOps.TestSupport;

/// <summary>Where the repository and the shared test data (../shared beside it) are. Missing data fails the run loudly.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string SharedAws => Require(Path.GetFullPath(Path.Combine(Root, "..", "shared", "aws")));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BatchOps.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("BatchOps.slnx not found above the test assembly.");
    }

    private static string Require(string path) =>
        Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"The shared AWS test data is missing: {path}. Tests read it from ../shared beside the repository.");
}

/// <summary>Our executables as the build left them, so tests run them as real processes.</summary>
public static class BuiltApps
{
    /// <summary>The build configuration the tests were built with (Debug or Release): apps are built the same way.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>src/<paramref name="project"/>/bin/&lt;configuration&gt;/net10.0/<paramref name="assembly"/>.dll.</summary>
    public static string Dll(string project, string assembly)
    {
        var path = Path.Combine(RepositoryPaths.Root, "src", project, "bin", Configuration, "net10.0", assembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built. Build the solution first (dotnet test builds it).", path);
    }
}
