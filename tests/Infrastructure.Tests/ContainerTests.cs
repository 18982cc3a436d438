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

    /// <summary>
    /// Runs the build stage as Docker would, in a copy of the build context holding only what the Dockerfile COPYs:
    /// a missing COPY fails the restore or the build here as it would in the image.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public async Task Each_Dockerfile_is_multi_stage_non_root_and_its_build_stage_builds_the_entry_point_from_what_it_copies(string dockerfile)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, dockerfile));
        Assert.True(FromLines().Count(text) >= 2, "multi-stage: a build stage and a runtime stage");
        Assert.Matches(@"(?m)^USER app$", text);
        var entryDll = EntryPoint().Match(text).Groups[1].Value;

        var output = await BuildStageAsync(text);

        Assert.True(File.Exists(Path.Combine(output, "app", entryDll)), $"{dockerfile}: the build stage does not produce /app/{entryDll}");
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task The_dashboard_image_holds_no_sandbox_or_worker_code()
    {
        var output = await BuildStageAsync(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "src", "Dashboard", "Dockerfile")));
        var app = Path.Combine(output, "app");

        var strays = Directory.GetFiles(app, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Where(f => f!.Contains("Sandbox", StringComparison.OrdinalIgnoreCase) || f.Contains("Worker", StringComparison.OrdinalIgnoreCase) || f == "batchops.build.json").ToList();
        using var assembly = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(Path.Combine(app, "BatchOps.Dashboard.dll")));
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(assembly);
        var references = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).ToList();

        Assert.Empty(strays);
        Assert.Contains("BatchOps.Aws", references);
        Assert.DoesNotContain(references, r => r is "BatchOps.Sandbox" or "BatchOps.Worker");
        Directory.Delete(output, recursive: true);
    }

    /// <summary>Copies the build stage's COPY sources into an empty context and runs its dotnet commands; returns the root that holds /app.</summary>
    private static async Task<string> BuildStageAsync(string dockerfile)
    {
        var root = Path.Combine(Path.GetTempPath(), "batchops-image-" + Guid.NewGuid().ToString("N"));
        var work = Path.Combine(root, "repo");
        Directory.CreateDirectory(work);
        var stage = dockerfile[..dockerfile.IndexOf("\nFROM ", dockerfile.IndexOf("FROM ", StringComparison.Ordinal) + 5, StringComparison.Ordinal)];
        foreach (var line in stage.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("COPY ", StringComparison.Ordinal) && !line.Contains("--from", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
                var destination = parts[^1].StartsWith('/') ? Path.Combine(root, parts[^1].TrimStart('/')) : Path.Combine(work, parts[^1]);
                foreach (var source in parts[..^1])
                {
                    Copy(Path.Combine(RepositoryPaths.Root, source), source.EndsWith('/') || parts.Length > 2 || parts[^1].EndsWith('/') ? Path.Combine(destination, source.EndsWith('/') ? "" : Path.GetFileName(source)) : destination);
                }
            }
            else if (line.StartsWith("RUN ", StringComparison.Ordinal))
            {
                foreach (var command in line[4..].Split("&&", StringSplitOptions.TrimEntries))
                {
                    var arguments = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a.StartsWith('/') ? Path.Combine(root, a.TrimStart('/')) : a).ToArray();
                    Assert.Equal("dotnet", arguments[0]);
                    await RunAsync("dotnet", [.. arguments[1..]], work);
                }
            }
        }

        return root;
    }

    private static void Copy(string source, string destination)
    {
        if (Directory.Exists(source))
        {
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)))
            {
                Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
            }

            return;
        }

        Assert.True(File.Exists(source), $"COPY source {source} does not exist");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(source, destination, overwrite: true);
    }

    private static async Task<string> RunAsync(string command, string[] arguments, string? directory = null)
    {
        using var process = ChildProcess.Start(command, arguments, new Dictionary<string, string?>(), directory);
        var exit = await process.WaitAsync(Patience);
        var output = string.Join('\n', process.StandardOutput);
        Assert.True(exit == 0, $"{command} {string.Join(' ', arguments)} exited {exit}:\n{output}\n{process.StandardError}");
        return output;
    }

    [GeneratedRegex(@"(?m)^FROM ")]
    private static partial Regex FromLines();

    [GeneratedRegex(@"(?m)^ENTRYPOINT \[""dotnet"", ""([^""]+)""")]
    private static partial Regex EntryPoint();

}
