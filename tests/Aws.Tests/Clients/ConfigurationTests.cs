using BatchOps.Aws.Configuration;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using BatchOps.Aws.Tests.Support;
using BatchOps.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Aws.Tests.Clients;

public sealed class ConfigurationTests
{
    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
        ["AWS_ENDPOINT_URL_SFN"] = "http://127.0.0.1:8083",
    };

    [Fact]
    public void Endpoints_come_from_configuration_then_the_service_variable_then_the_global_variable_then_the_region()
    {
        var options = new AwsClientOptions();
        options.Endpoints["ECS"] = "http://127.0.0.1:9999";

        Assert.Equal(new Uri("http://127.0.0.1:9999"), AwsEndpointResolver.Resolve(EcsService.Description, options, "eu-west-1", Environment.GetValueOrDefault));
        Assert.Equal(new Uri("http://127.0.0.1:8083"), AwsEndpointResolver.Resolve(StepFunctionsService.Description, options, "eu-west-1", Environment.GetValueOrDefault));
        Assert.Equal(new Uri("http://127.0.0.1:4566"), AwsEndpointResolver.Resolve(SchedulerService.Description, options, "eu-west-1", Environment.GetValueOrDefault));
        Assert.Equal(new Uri("https://scheduler.eu-west-1.amazonaws.com"), AwsEndpointResolver.Resolve(SchedulerService.Description, options, "eu-west-1", _ => null));
        Assert.Equal(new Uri("https://states.cn-north-1.amazonaws.com.cn"), AwsEndpointResolver.Resolve(StepFunctionsService.Description, options, "cn-north-1", _ => null));
    }

    [Fact]
    public void The_service_variables_are_the_ones_the_AWS_SDKs_read()
    {
        Assert.Equal("AWS_ENDPOINT_URL_SFN", StepFunctionsService.Description.EndpointEnvironmentVariable);
        Assert.Equal("AWS_ENDPOINT_URL_ECS", EcsService.Description.EndpointEnvironmentVariable);
        Assert.Equal("AWS_ENDPOINT_URL_SCHEDULER", SchedulerService.Description.EndpointEnvironmentVariable);
    }

    [Fact]
    public void AWS_IGNORE_CONFIGURED_ENDPOINT_URLS_skips_the_variables()
    {
        var env = new Dictionary<string, string?>(Environment) { ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true" };
        Assert.Equal(new Uri("https://states.us-east-2.amazonaws.com"), AwsEndpointResolver.Resolve(StepFunctionsService.Description, new AwsClientOptions(), "us-east-2", env.GetValueOrDefault));
    }

    [Theory]
    [InlineData("Aws:Region", "Ireland", "is not a region name")]
    [InlineData("Aws:Endpoints:SFN", "localhost:8083", "is not an absolute http(s) URL")]
    [InlineData("Aws:Endpoints:Lambda", "http://127.0.0.1:1", "unknown service")]
    [InlineData("Aws:AccessKeyId", "AKID", "must be set together")]
    [InlineData("Aws:MaxAttempts", "0", "MaxAttempts")]
    public void Invalid_settings_fail_at_start_with_a_specific_message(string key, string value, string expected)
    {
        using var provider = Services(new Dictionary<string, string?> { ["Aws:Region"] = "eu-west-1", [key] = value });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AwsClientOptions>>().Value);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task The_registered_clients_talk_to_the_configured_endpoint()
    {
        await using var server = await LoopbackAwsServer.StartAsync();
        server.EnqueueJson(200, """{"stateMachines":[]}""");
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Aws:Region"] = "eu-west-1",
            ["Aws:AccessKeyId"] = "AKIDLOCAL",
            ["Aws:SecretAccessKey"] = "local",
            ["Aws:Endpoints:SFN"] = server.Endpoint.ToString(),
        });

        await provider.GetRequiredService<IAmazonStepFunctions>().ListStateMachinesAsync(new ListStateMachinesRequest());

        var request = Assert.Single(server.Requests);
        Assert.Contains("Credential=AKIDLOCAL/", request.Headers["Authorization"]);
        Assert.Contains("/eu-west-1/states/aws4_request", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task The_rate_limiter_lets_a_burst_through_then_paces_calls_at_the_refill_rate()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-22T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new AwsClientOptions();
        options.RateLimits["SFN:DescribeExecution"] = new RateLimit(2, 1);
        var limiter = new ClientRateLimiter(options, time);

        await limiter.AcquireAsync("SFN", "DescribeExecution", CancellationToken.None);
        await limiter.AcquireAsync("SFN", "DescribeExecution", CancellationToken.None);
        var third = limiter.AcquireAsync("SFN", "DescribeExecution", CancellationToken.None).AsTask();

        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await third.WaitAsync(TimeSpan.FromSeconds(5));

        // Other operations have their own buckets.
        var other = limiter.AcquireAsync("SFN", "ListExecutions", CancellationToken.None).AsTask();
        Assert.True(other.IsCompleted);
    }

    [Fact]
    public void Rate_limits_fall_back_from_the_operation_to_the_service_default()
    {
        var limiter = new ClientRateLimiter(new AwsClientOptions(), TimeProvider.System);
        Assert.Equal(5, limiter.LimitFor("SFN", "SFN:GetExecutionHistory").PerSecond);
        Assert.Equal(10, limiter.LimitFor("SFN", "SFN:DescribeStateMachine").PerSecond);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddBatchOpsAws(configuration).BuildServiceProvider();
    }
}
