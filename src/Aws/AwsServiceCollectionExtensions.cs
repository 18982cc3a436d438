using BatchOps.Aws.Configuration;
using BatchOps.Aws.Credentials;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchOps.Aws;

public static class AwsServiceCollectionExtensions
{
    public const string HttpClientName = "BatchOps.Aws";

    /// <summary>
    /// A <see cref="TimeProvider"/> registered under this key is the clients' clock (signing, backoff, rate limits)
    /// instead of the app's: an app whose "now" is not the wall clock (a sandbox's faster clock) still signs with it.
    /// </summary>
    public const string ClockKey = "BatchOps.Aws.Clock";

    /// <summary>
    /// Registers the Step Functions, ECS and Scheduler clients, configured from the <c>Aws</c> section and
    /// validated at start-up.
    /// </summary>
    public static IServiceCollection AddBatchOpsAws(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AwsClientOptions>()
            .Bind(configuration.GetSection(AwsClientOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsClientOptions>, AwsClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<AwsClientMetrics>();
        services.TryAddSingleton<IAwsCredentialsProvider>(sp => new AwsSdkCredentialsProvider(sp.GetRequiredService<IOptions<AwsClientOptions>>().Value));
        services.TryAddSingleton(sp => new ClientRateLimiter(sp.GetRequiredService<IOptions<AwsClientOptions>>().Value, Clock(sp)));

        // Each attempt has its own timeout (Aws:RequestTimeout), so the HttpClient's is off.
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);

        services.TryAddSingleton<IAmazonStepFunctions>(sp => new StepFunctionsClient(CreateRuntime(sp, StepFunctionsService.Description)));
        services.TryAddSingleton<IAmazonECS>(sp => new EcsClient(CreateRuntime(sp, EcsService.Description)));
        services.TryAddSingleton<IAmazonScheduler>(sp => new SchedulerClient(CreateRuntime(sp, SchedulerService.Description)));
        return services;
    }

    private static AwsServiceRuntime CreateRuntime(IServiceProvider sp, AwsServiceDescription service) => new(
        service,
        sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
        sp.GetRequiredService<IOptions<AwsClientOptions>>().Value,
        sp.GetRequiredService<IAwsCredentialsProvider>(),
        sp.GetRequiredService<ClientRateLimiter>(),
        Clock(sp),
        sp.GetRequiredService<ILogger<AwsServiceRuntime>>(),
        metrics: sp.GetRequiredService<AwsClientMetrics>());

    private static TimeProvider Clock(IServiceProvider sp) => sp.GetKeyedService<TimeProvider>(ClockKey) ?? sp.GetRequiredService<TimeProvider>();
}
