using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchOps.Dashboard.ReadModel;

public static class ReadModelServiceCollectionExtensions
{
    /// <summary>The read model: options (validated at start), the provider's context factory and change notifications.</summary>
    public static IServiceCollection AddBatchOpsReadModel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReadModelOptions>()
            .Bind(configuration.GetSection(ReadModelOptions.SectionName))
            .Configure(o => o.Password ??= configuration.GetConnectionString("ReadModelPassword"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ReadModelContextFactory>();
        services.AddSingleton<IDbContextFactory<ReadModelDbContext>>(sp => sp.GetRequiredService<ReadModelContextFactory>());
        services.AddSingleton<ReadModelChanges>();
        services.TryAddSingleton(TimeProvider.System);
        if (ReadModelOptionsFrom(configuration).Provider == ReadModelProvider.PostgreSQL)
        {
            // Several instances share a PostgreSQL read model: their pages hear each other's changes.
            services.AddHostedService<PostgresChangeRelay>();
        }

        return services;
    }

    /// <summary>The options as configured, for registrations that need them before the container is built (the Hangfire storage).</summary>
    public static ReadModelOptions ReadModelOptionsFrom(IConfiguration configuration)
    {
        var options = configuration.GetSection(ReadModelOptions.SectionName).Get<ReadModelOptions>() ?? new ReadModelOptions();
        options.Password ??= configuration.GetConnectionString("ReadModelPassword");
        return options;
    }
}
