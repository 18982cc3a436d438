using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync.Jobs;
using Quartz;

namespace BatchOps.Dashboard.Sync;

public static class SyncServiceCollectionExtensions
{
    /// <summary>
    /// The sync services and their Quartz jobs: in-memory store for one instance (SQLite, sandbox), clustered ADO
    /// store on the PostgreSQL read model when several instances share it, so exactly one runs each job.
    /// </summary>
    public static IServiceCollection AddBatchOpsSync(this IServiceCollection services, IConfiguration configuration, ReadModelOptions readModel, string? postgresConnectionString)
    {
        ArgumentNullException.ThrowIfNull(readModel);
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var sync = configuration.GetSection(SyncOptions.SectionName).Get<SyncOptions>() ?? new SyncOptions();
        if (sync.Clustered && readModel.Provider != ReadModelProvider.PostgreSQL)
        {
            throw new InvalidOperationException("Sync:Clustered needs ReadModel:Provider=PostgreSQL: the clustered job store lives in the PostgreSQL read model.");
        }

        services.AddSingleton<ExecutionIndexer>();
        services.AddSingleton<HistorySynchronizer>();
        services.AddSingleton<StoppedTaskCapture>();
        services.AddSingleton<SyncStatusStore>();

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "batchops-sync";
                o.GenerateInstanceId = true;
            });
            if (sync.Clustered)
            {
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(postgresConnectionString!);
                    store.UseSystemTextJsonSerializer();
                    // Quartz creates its own tables (qrtz_*) beside the read model when they are missing, in the
                    // schema version it needs; it never alters existing ones (upgrades are its migration scripts).
                    store.ProvisionSchema();
                    store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(10));
                });
            }
            else
            {
                q.UseInMemoryStore();
            }

            q.UseDefaultThreadPool(3);
            Schedule<ExecutionIndexJob>(q, ExecutionIndexJob.Key, sync.ExecutionsInterval);
            Schedule<ExecutionHistoryJob>(q, ExecutionHistoryJob.Key, sync.HistoryInterval);
            Schedule<StoppedTaskCaptureJob>(q, StoppedTaskCaptureJob.Key, sync.StoppedTasksInterval);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }

    private static void Schedule<TJob>(IQuartzBuilder q, JobKey key, TimeSpan interval)
        where TJob : IJob
    {
        q.AddJob<TJob>(j => j.WithIdentity(key).StoreDurably());
        q.AddTrigger<TJob>(t => t
            .ForJob(key)
            .WithIdentity(key.Name + "-trigger", key.Group)
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
    }
}
