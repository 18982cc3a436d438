namespace BatchOps.Aws.Tests.Support;

/// <summary>Finds ../shared (the read-only AWS test data beside the repository). Missing data fails the test run.</summary>
public static class SharedData
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Aws { get; } = Require(Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "aws")));

    public static string Path_(params string[] parts) => Path.Combine([Aws, .. parts]);

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
