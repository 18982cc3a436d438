using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Sync.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Schedules;

public static class SchedulesServiceCollectionExtensions
{
    public static IServiceCollection AddBatchOpsSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScheduleOptions>().Bind(configuration.GetSection(ScheduleOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ScheduleCatalog>();
        services.AddSingleton<ScheduleQueries>();
        services.AddSingleton<ScheduleActions>();
        services.AddSingleton<IOperationSender, ScheduleSender>();
        services.AddTransient<ScheduleSyncJob>();
        services.AddHostedService<ScheduleJobRegistration>();
        return services;
    }
}

/// <summary>Reads every shown schedule from EventBridge Scheduler into the read model (<see cref="ScheduleCatalog"/>).</summary>
public sealed class ScheduleSyncJob(ScheduleCatalog catalog, SyncStatusStore status, ILogger<ScheduleSyncJob> logger) : SyncJob(status, logger)
{
    public const string JobId = "sync:schedules";

    public override string Id => JobId;

    protected override string CursorKey => ScheduleCatalog.CursorKey;

    protected override Task ExecuteAsync(CancellationToken cancellationToken) => catalog.SyncAsync(cancellationToken);
}

/// <summary>Registers the schedule sync as a recurring job when the host starts.</summary>
public sealed class ScheduleJobRegistration(IRecurringJobManager jobs, IOptions<ScheduleOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        jobs.AddOrUpdate<ScheduleSyncJob>(ScheduleSyncJob.JobId, job => job.RunAsync(CancellationToken.None), SyncSchedule.Cron(options.Value.SyncInterval)!, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        // Read them once now: a minute-long interval would otherwise leave the Schedules page empty for up to a minute.
        jobs.Trigger(ScheduleSyncJob.JobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
