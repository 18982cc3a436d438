using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace BatchOps.Aws.Configuration;

/// <summary>
/// The repository's top-level appsettings.json, copied beside every app as appsettings.shared.json
/// (Directory.Build.targets). It is loaded first so each app's own appsettings.json, environment
/// variables and command line override it.
/// </summary>
public static class SharedSettings
{
    public const string FileName = "appsettings.shared.json";

    public static IConfigurationBuilder AddBatchOpsSharedSettings(this IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = FileName,
            Optional = false,
            ReloadOnChange = false,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });
        return builder;
    }
}
