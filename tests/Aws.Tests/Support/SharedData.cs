using BatchOps.TestSupport;

namespace BatchOps.Aws.Tests.Support;

/// <summary>The read-only AWS test data beside the repository (../shared/aws).</summary>
public static class SharedData
{
    public static string RepositoryRoot => RepositoryPaths.Root;

    public static string Aws { get; } = RepositoryPaths.SharedAws;

    public static string Path_(params string[] parts) => Path.Combine([Aws, .. parts]);
}
