using Microsoft.Extensions.Configuration;

namespace BatchOps.Sandbox.Hosting;

/// <summary>
/// Which local command stands for which image: <c>Sandbox:Images:&lt;image&gt;</c>, either a JSON array
/// (<c>["dotnet", "/worker/BatchOps.Worker.dll"]</c>, for paths with spaces) or one string split at spaces. The build
/// records the worker built with the sandbox in batchops.build.json beside it; a container image sets its own.
/// </summary>
public static class SandboxImages
{
    public const string WorkerImage = "*batchops-worker";

    public static Ecs.EcsSandboxOptions Configure(Ecs.EcsSandboxOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var image in configuration.GetSection("Sandbox:Images").GetChildren())
        {
            var parts = image.GetChildren().ToList();
            options.Images[image.Key] = parts.Count > 0
                ? [.. parts.OrderBy(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(p => p.Value ?? "")]
                : (image.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        return options;
    }
}
