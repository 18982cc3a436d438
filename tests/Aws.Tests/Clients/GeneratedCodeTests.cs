using BatchOps.Aws.Tests.Support;
using BatchOps.AwsModelGen;

namespace BatchOps.Aws.Tests.Clients;

public sealed class GeneratedCodeTests
{
    [Fact]
    public void Committed_generated_code_matches_the_service_models()
    {
        var stale = Generation.Outputs(SharedData.RepositoryRoot, SharedData.Aws)
            .Where(o => !File.Exists(o.Path) || File.ReadAllText(o.Path) != o.Content)
            .Select(o => Path.GetRelativePath(SharedData.RepositoryRoot, o.Path))
            .ToList();
        Assert.True(stale.Count == 0, "Stale generated files (run: dotnet run --project tools/AwsModelGen): " + string.Join(", ", stale));
    }
}
