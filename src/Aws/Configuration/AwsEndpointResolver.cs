using BatchOps.Aws.Runtime;

namespace BatchOps.Aws.Configuration;

/// <summary>
/// Picks a service's endpoint the way the AWS SDKs do: configuration first, then AWS_ENDPOINT_URL_&lt;SERVICE&gt;,
/// then AWS_ENDPOINT_URL, then the regional endpoint. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the variables.
/// </summary>
public static class AwsEndpointResolver
{
    public static Uri Resolve(AwsServiceDescription service, AwsClientOptions options, string region, Func<string, string?> environment)
    {
        if (options.Endpoints.TryGetValue(service.ServiceId, out var configured) && !string.IsNullOrWhiteSpace(configured))
        {
            return new Uri(configured);
        }

        var ignore = string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ignore)
        {
            if (environment(service.EndpointEnvironmentVariable) is { Length: > 0 } specific)
            {
                return new Uri(specific);
            }

            if (environment("AWS_ENDPOINT_URL") is { Length: > 0 } global)
            {
                return new Uri(global);
            }
        }

        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://{service.EndpointPrefix}.{region}.{suffix}");
    }

    /// <summary>The region from configuration, AWS_REGION, AWS_DEFAULT_REGION, or the profile; null when none is set.</summary>
    public static string? ResolveRegion(AwsClientOptions options, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            return options.Region;
        }

        if (environment("AWS_REGION") is { Length: > 0 } region)
        {
            return region;
        }

        if (environment("AWS_DEFAULT_REGION") is { Length: > 0 } fallback)
        {
            return fallback;
        }

        try
        {
            return Amazon.Runtime.FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        }
        catch (Amazon.Runtime.AmazonClientException)
        {
            return null;
        }
    }
}
