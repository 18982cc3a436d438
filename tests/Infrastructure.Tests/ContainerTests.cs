using System.Text.RegularExpressions;
using BatchOps.TestSupport;

namespace BatchOps.Infrastructure.Tests;

/// <summary>
/// No Docker engine runs here, so the container definitions are checked the way we can: docker-compose
/// validates the compose file, and each Dockerfile's publish step runs as `dotnet publish` with the same options.
/// </summary>
public sealed partial class ContainerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_compose_file_is_valid_for_docker_compose()
    {
        await RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "tests", "scripts", "ensure-debian-package.sh"), "docker-compose", "docker-compose"]);

        var output = await RunAsync("docker-compose", ["-f", Path.Combine(RepositoryPaths.Root, "docker-compose.yml"), "config"]);

        Assert.Contains("service_healthy", output, StringComparison.Ordinal);
        foreach (var service in new[] { "postgres:", "sandbox:", "dashboard:", "worker:" })
        {
            Assert.Contains(service, output, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> Dockerfiles() => [.. new[] { "Worker", "Sandbox", "Dashboard" }.Select(p => $"src/{p}/Dockerfile")];

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public async Task Each_Dockerfile_is_multi_stage_non_root_and_its_publish_step_builds_the_entry_point(string dockerfile)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, dockerfile));
        Assert.True(FromLines().Count(text) >= 2, "multi-stage: a build stage and a runtime stage");
        Assert.Matches(@"(?m)^USER app$", text);
        var entryDll = EntryPoint().Match(text).Groups[1].Value;

        var output = Path.Combine(Path.GetTempPath(), "batchops-publish-" + Guid.NewGuid().ToString("N"));
        var publish = PublishSteps().Matches(text).First(m => m.Groups[1].Value.EndsWith(Path.GetFileNameWithoutExtension(entryDll) + ".csproj", StringComparison.Ordinal));
        var options = publish.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await RunAsync("dotnet", ["publish", Path.Combine(RepositoryPaths.Root, publish.Groups[1].Value), .. options, "-o", output]);

        Assert.True(File.Exists(Path.Combine(output, entryDll)), $"{dockerfile}: the publish step does not produce {entryDll}");
        Directory.Delete(output, recursive: true);
    }

    private static async Task<string> RunAsync(string command, string[] arguments)
    {
        using var process = ChildProcess.Start(command, arguments, new Dictionary<string, string?>());
        var exit = await process.WaitAsync(Patience);
        var output = string.Join('\n', process.StandardOutput);
        Assert.True(exit == 0, $"{command} {string.Join(' ', arguments)} exited {exit}:\n{output}\n{process.StandardError}");
        return output;
    }

    [GeneratedRegex(@"(?m)^FROM ")]
    private static partial Regex FromLines();

    [GeneratedRegex(@"(?m)^ENTRYPOINT \[""dotnet"", ""([^""]+)""")]
    private static partial Regex EntryPoint();

    // RUN dotnet publish <project> <options> -o <dir>: the options are reused as they are, minus the output.
    [GeneratedRegex(@"(?m)^RUN dotnet publish (\S+) (.*?) -o \S+$")]
    private static partial Regex PublishSteps();
}
