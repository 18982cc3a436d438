using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync.Jobs;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchOps.Dashboard.Sync;

public static class SyncServiceCollectionExtensions
{
    /// <summary>
    /// The sync services and the one background job system (Hangfire): in-memory storage for one instance (SQLite,
    /// sandbox), its PostgreSQL storage in its own schema of the read-model database when several instances share it.
    /// The recurring sync jobs are registered when the host starts (<see cref="SyncJobRegistration"/>).
    /// </summary>
    public static IServiceCollection AddBatchOpsSync(this IServiceCollection services, IConfiguration configuration, ReadModelOptions readModel, string? postgresConnectionString)
    {
        ArgumentNullException.ThrowIfNull(readModel);
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var sync = configuration.GetSection(SyncOptions.SectionName).Get<SyncOptions>() ?? new SyncOptions();

        services.AddSingleton<ExecutionIndexer>();
        services.AddOptions<RedactionOptions>().Bind(configuration.GetSection(RedactionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SecretRedactor>();
        services.AddSingleton<HistorySynchronizer>();
        services.AddSingleton<Features.SyncHealth.SyncHealthQueries>();
        services.AddSingleton<StoppedTaskCapture>();
        services.AddSingleton<SyncStatusStore>();
        services.AddTransient<ExecutionIndexJob>();
        services.AddTransient<ExecutionHistoryJob>();
        services.AddTransient<StoppedTaskCaptureJob>();
        services.AddTransient<RedriveSweepJob>();

        services.AddHangfire((sp, hangfire) =>
        {
            hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (readModel.Provider == ReadModelProvider.PostgreSQL)
            {
                hangfire.UsePostgreSqlStorage(
                    o => o.UseConnectionFactory(new DataSourceConnectionFactory(sp.GetRequiredService<HangfireDataSource>().DataSource)),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = "hangfire",
                        PrepareSchemaIfNecessary = true,
                        // Enqueued jobs are noticed at once (LISTEN/NOTIFY) instead of on the 15 s queue poll.
                        EnableLongPolling = true,
                        QueuePollInterval = TimeSpan.FromSeconds(1),
                        // The skip-when-running lock counts as abandoned after this long: longer than any sync run.
                        DistributedLockTimeout = TimeSpan.FromMinutes(5),
                    });
            }
            else
            {
                hangfire.UseInMemoryStorage(new InMemoryStorageOptions());
            }
        });
        if (readModel.Provider == ReadModelProvider.PostgreSQL)
        {
            services.AddSingleton(_ => new HangfireDataSource(NpgsqlDataSource.Create(postgresConnectionString!)));
        }

        services.AddHangfireServer((sp, server) =>
        {
            var options = sp.GetRequiredService<IOptions<SyncOptions>>().Value;
            server.ServerName = SyncStatusStore.Instance;
            server.WorkerCount = options.Workers;
            // The recurring scheduler looks for due jobs this often; it must not be coarser than the shortest interval.
            server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddHostedService<SyncJobRegistration>();
        return services;
    }

    /// <summary>Hangfire's own data source, so its connections never share the read model's type mappings.</summary>
    private sealed record HangfireDataSource(NpgsqlDataSource DataSource) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }

    private sealed class DataSourceConnectionFactory(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }
}

/// <summary>Registers (or updates) the recurring sync jobs when the host starts, on every instance: the storage keeps one of each.</summary>
public sealed class SyncJobRegistration(IRecurringJobManager jobs, IOptions<SyncOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        Add<ExecutionIndexJob>(ExecutionIndexJob.JobId, o.ExecutionsInterval);
        Add<ExecutionHistoryJob>(ExecutionHistoryJob.JobId, o.HistoryInterval);
        Add<StoppedTaskCaptureJob>(StoppedTaskCaptureJob.JobId, o.StoppedTasksInterval);
        Add<RedriveSweepJob>(RedriveSweepJob.JobId, o.RedriveSweepInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Add<TJob>(string id, TimeSpan interval)
        where TJob : SyncJob =>
        jobs.AddOrUpdate<TJob>(id, job => job.RunAsync(CancellationToken.None), SyncSchedule.Cron(interval)!, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
}
