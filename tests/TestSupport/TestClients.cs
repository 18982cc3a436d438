using Amazon.Runtime;
using BatchOps.Aws.Configuration;
using BatchOps.Aws.Credentials;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchOps.TestSupport;

/// <summary>Clients pointed at a loopback server, with deterministic backoff (the full jitter ceiling).</summary>
public sealed class TestClients(Uri endpoint, Action<AwsClientOptions>? configure = null, TimeProvider? time = null)
{
    public AwsClientOptions Options { get; } = Configure(endpoint, configure);

    private static AwsClientOptions Configure(Uri endpoint, Action<AwsClientOptions>? configure)
    {
        var options = new AwsClientOptions
        {
            Region = "us-east-1",
            BaseDelay = TimeSpan.FromMilliseconds(20),
            MaxAttempts = 4,
            RequestTimeout = TimeSpan.FromSeconds(5),
            DisableRateLimiting = true,
        };
        options.Endpoints["SFN"] = endpoint.ToString();
        options.Endpoints["ECS"] = endpoint.ToString();
        options.Endpoints["Scheduler"] = endpoint.ToString();
        configure?.Invoke(options);
        return options;
    }

    public AwsServiceRuntime Runtime(AwsServiceDescription service) => new(
        service,
        new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
        Options,
        // Test keys (with a session token, as temporary credentials carry) unless the test names its own.
        new StaticCredentialsProvider(Options.AccessKeyId is { } key ? new ImmutableCredentials(key, Options.SecretAccessKey, null) : new ImmutableCredentials("AKIDTEST", "secret", "session-token")),
        new ClientRateLimiter(Options, time ?? TimeProvider.System),
        time ?? TimeProvider.System,
        NullLogger<AwsServiceRuntime>.Instance,
        environment: _ => null,
        jitter: () => 1.0);

    public IAmazonStepFunctions StepFunctions => new StepFunctionsClient(Runtime(StepFunctionsService.Description));

    public IAmazonECS Ecs => new EcsClient(Runtime(EcsService.Description));

    public IAmazonScheduler Scheduler => new SchedulerClient(Runtime(SchedulerService.Description));
}
