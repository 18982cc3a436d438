using Microsoft.Extensions.Options;

namespace BatchOps.Aws.Configuration;

/// <summary>Checks the AWS settings at start-up, so a typo fails loudly instead of at the first call.</summary>
public sealed class AwsClientOptionsValidator : IValidateOptions<AwsClientOptions>
{
    private static readonly string[] KnownServices = ["SFN", "ECS", "Scheduler"];

    public ValidateOptionsResult Validate(string? name, AwsClientOptions options)
    {
        var failures = new List<string>();
        foreach (var (service, url) in options.Endpoints)
        {
            if (!KnownServices.Contains(service, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Aws:Endpoints:{service}: unknown service; use one of {string.Join(", ", KnownServices)}.");
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Aws:Endpoints:{service}: '{url}' is not an absolute http(s) URL.");
            }
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            failures.Add("Aws:AccessKeyId and Aws:SecretAccessKey must be set together, or neither (to use the default credential chain).");
        }

        if (options.Region is { Length: > 0 } region && !System.Text.RegularExpressions.Regex.IsMatch(region, "^[a-z]{2}(-[a-z]+)+-\\d$"))
        {
            failures.Add($"Aws:Region: '{region}' is not a region name such as eu-west-1.");
        }

        foreach (var (key, limit) in options.RateLimits)
        {
            if (!key.Contains(':', StringComparison.Ordinal))
            {
                failures.Add($"Aws:RateLimits:{key}: keys are 'ServiceId:Operation' or 'ServiceId:*'.");
            }

            if (limit.Burst < 1 || limit.PerSecond <= 0)
            {
                failures.Add($"Aws:RateLimits:{key}: Burst must be at least 1 and PerSecond above 0.");
            }
        }

        if (options.BaseDelay > options.MaxBackoff)
        {
            failures.Add("Aws:BaseDelay must not exceed Aws:MaxBackoff.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
