using System.ComponentModel.DataAnnotations;

namespace BatchOps.Aws.Configuration;

/// <summary>Settings for the AWS clients, bound from the <c>Aws</c> configuration section.</summary>
public sealed class AwsClientOptions
{
    public const string SectionName = "Aws";

    /// <summary>The region; when empty, AWS_REGION, AWS_DEFAULT_REGION or the profile's region is used.</summary>
    public string? Region { get; set; }

    /// <summary>A named profile from ~/.aws/config or ~/.aws/credentials (SSO profiles included).</summary>
    public string? Profile { get; set; }

    /// <summary>Static keys, for the sandbox or LocalStack only. In AWS, leave empty and use the default chain.</summary>
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? SessionToken { get; set; }

    /// <summary>Endpoint per service id (SFN, ECS, Scheduler), overriding AWS_ENDPOINT_URL_* and the regional default.</summary>
    public Dictionary<string, string> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Attempts per call, the first included.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Backoff before attempt n is a random delay up to BaseDelay × 2^(n−1), capped at MaxBackoff.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(20);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Client-side token buckets, keyed "ServiceId:Operation" (e.g. "SFN:GetExecutionHistory") or "ServiceId:*".
    /// Entries here override <see cref="RateLimitDefaults"/>.
    /// </summary>
    public Dictionary<string, RateLimit> RateLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Turns the client-side rate limiter off (tests, the sandbox's own benchmarks).</summary>
    public bool DisableRateLimiting { get; set; }
}

/// <summary>A token bucket: up to <see cref="Burst"/> calls at once, refilled at <see cref="PerSecond"/>.</summary>
public sealed class RateLimit
{
    [Range(1, 100_000)]
    public double Burst { get; set; }

    [Range(0.01, 100_000)]
    public double PerSecond { get; set; }

    public RateLimit()
    {
    }

    public RateLimit(double burst, double perSecond)
    {
        Burst = burst;
        PerSecond = perSecond;
    }
}

/// <summary>
/// Defaults that stay under the throttling quotas AWS documents per account and region (Step Functions
/// standard workflows, ECS API request throttling, EventBridge Scheduler quotas), rounded down, since the
/// dashboard shares them with every other caller in the account. Tune them in configuration.
/// </summary>
public static class RateLimitDefaults
{
    public static readonly IReadOnlyDictionary<string, RateLimit> All = new Dictionary<string, RateLimit>(StringComparer.OrdinalIgnoreCase)
    {
        ["SFN:*"] = new(50, 10),
        ["SFN:StartExecution"] = new(100, 20),
        ["SFN:DescribeExecution"] = new(100, 20),
        ["SFN:GetExecutionHistory"] = new(100, 5),
        ["SFN:ListExecutions"] = new(50, 5),
        ["SFN:SendTaskHeartbeat"] = new(100, 20),
        ["SFN:SendTaskSuccess"] = new(100, 20),
        ["SFN:SendTaskFailure"] = new(100, 20),
        ["ECS:*"] = new(20, 5),
        ["ECS:DescribeTasks"] = new(50, 20),
        ["ECS:ListTasks"] = new(50, 20),
        ["ECS:RunTask"] = new(50, 20),
        ["ECS:StopTask"] = new(50, 20),
        ["ECS:DescribeClusters"] = new(20, 10),
        ["Scheduler:*"] = new(20, 10),
    };
}
