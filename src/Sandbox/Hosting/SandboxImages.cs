using Microsoft.Extensions.Configuration;

namespace BatchOps.Sandbox.Hosting;

/// <summary>
/// Which local command stands for which image. Configuration: <c>Sandbox:Images:&lt;image&gt; = "command args"</c>.
/// Without it, the worker image (<c>*batchops-worker</c>) runs the worker built in this repository.
/// </summary>
public static class SandboxImages
{
    public const string WorkerImage = "*batchops-worker";

    private static readonly string[] Configurations = ["Debug", "Release"];

    public static Ecs.EcsSandboxOptions Configure(Ecs.EcsSandboxOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var image in configuration.GetSection("Sandbox:Images").GetChildren())
        {
            options.Images[image.Key] = image.Value!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        if (!options.Images.ContainsKey(WorkerImage) && FindBuiltWorker() is { } worker)
        {
            options.Images[WorkerImage] = ["dotnet", worker];
        }

        return options;
    }

    /// <summary>src/Worker/bin/&lt;configuration&gt;/net10.0/BatchOps.Worker.dll of the repository this sandbox was built from.</summary>
    public static string? FindBuiltWorker()
    {
        if (RepositoryLayout.FindRoot() is not { } root)
        {
            return null;
        }

        return Configurations
            .Select(c => Path.Combine(root, "src", "Worker", "bin", c, "net10.0", "BatchOps.Worker.dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }
}
