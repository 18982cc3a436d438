using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace BatchOps.Hosting;

/// <summary>
/// The configuration files every app reads beside itself before its own appsettings.json, environment variables and
/// command line (which override them): the repository's top-level appsettings.json, copied as appsettings.shared.json
/// (Directory.Build.targets), and what the build recorded for a local run (batchops.build.json: where the sandbox, the
/// worker and the checked-in template are), which a published app does not have.
/// </summary>
internal static class SharedSettings
{
    public const string FileName = "appsettings.shared.json";

    public const string BuildFileName = "batchops.build.json";

    public static IConfigurationBuilder AddBatchOpsSharedSettings(this IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Sources.Insert(0, Source(FileName, optional: false));
        builder.Sources.Insert(1, Source(BuildFileName, optional: true));
        return builder;
    }

    private static JsonConfigurationSource Source(string fileName, bool optional) => new()
    {
        Path = fileName,
        Optional = optional,
        ReloadOnChange = false,
        FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
    };
}
