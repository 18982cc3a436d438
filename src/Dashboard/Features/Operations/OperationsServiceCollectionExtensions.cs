using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Operations.Jobs;
using BatchOps.Dashboard.Sync;
using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>The write side: the ledger, the actions, bulk actions and their jobs, recovery.</summary>
    public static IServiceCollection AddBatchOpsOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperationOptions>().Bind(configuration.GetSection(OperationOptions.SectionName)).ValidateDataAnnotations()
            .Validate(o => SyncSchedule.Cron(o.RecoveryInterval) is not null, "Operations:RecoveryInterval must divide a minute, an hour or a day evenly (it runs as a recurring job).")
            .ValidateOnStart();
        // Operations are counted by kind and result (the dashboard's own meter).
        services.AddMetrics();
        services.TryAddSingleton<Features.Telemetry.DashboardMetrics>();
        // What the actions use from the read side: the executions a bulk filter selects, and a refresh after an action.
        services.TryAddSingleton<ExecutionQueries>();
        services.TryAddSingleton<IExecutionRefresher>(sp => sp.GetRequiredService<HistorySynchronizer>());
        services.AddSingleton<OperationLedger>();
        services.AddSingleton<OperationExecutor>();
        services.AddSingleton<OperationRunner>();
        services.AddSingleton<WorkflowCatalog>();
        services.AddSingleton<EcsTaskStatus>();
        services.AddSingleton<ExecutionActions>();
        services.AddSingleton<BulkOperations>();
        services.AddSingleton<OperationQueries>();
        services.AddScoped<CurrentOperator>();
        services.AddTransient<BulkOperationJob>();
        services.AddTransient<OperationRecoveryJob>();
        services.AddHostedService<OperationJobRegistration>();
        return services;
    }
}

/// <summary>Registers recovery as a recurring job when the host starts.</summary>
public sealed class OperationJobRegistration(IRecurringJobManager jobs, IOptions<OperationOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        jobs.AddOrUpdate<OperationRecoveryJob>(OperationRecoveryJob.JobId, job => job.RunAsync(CancellationToken.None), SyncSchedule.Cron(options.Value.RecoveryInterval)!, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
