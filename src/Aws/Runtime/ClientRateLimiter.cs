using System.Collections.Concurrent;
using BatchOps.Aws.Configuration;

namespace BatchOps.Aws.Runtime;

/// <summary>
/// Per-operation token buckets that keep our calls under AWS's throttling quotas: a caller waits for a token
/// instead of being throttled. Time comes from <see cref="TimeProvider"/>, so tests control it.
/// </summary>
public sealed class ClientRateLimiter(AwsClientOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.OrdinalIgnoreCase);

    public ValueTask AcquireAsync(string serviceId, string operation, CancellationToken cancellationToken)
    {
        if (options.DisableRateLimiting)
        {
            return ValueTask.CompletedTask;
        }

        var key = serviceId + ":" + operation;
        var bucket = _buckets.GetOrAdd(key, k => new TokenBucket(LimitFor(serviceId, k), time));
        return bucket.AcquireAsync(cancellationToken);
    }

    public RateLimit LimitFor(string serviceId, string key) =>
        options.RateLimits.GetValueOrDefault(key)
        ?? options.RateLimits.GetValueOrDefault(serviceId + ":*")
        ?? RateLimitDefaults.All.GetValueOrDefault(key)
        ?? RateLimitDefaults.All.GetValueOrDefault(serviceId + ":*")
        ?? new RateLimit(10, 5);

    private sealed class TokenBucket(RateLimit limit, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private double _tokens = limit.Burst;
        private long _last = time.GetTimestamp();

        public async ValueTask AcquireAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    var now = time.GetTimestamp();
                    _tokens = Math.Min(limit.Burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * limit.PerSecond));
                    _last = now;
                    if (_tokens >= 1)
                    {
                        _tokens -= 1;
                        return;
                    }

                    wait = TimeSpan.FromSeconds((1 - _tokens) / limit.PerSecond);
                }

                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
