namespace BatchOps.Aws.Runtime;

/// <summary>Exponential backoff with full jitter: a uniform delay in [0, min(cap, base × 2^(attempt−1))].</summary>
public sealed class RetryBackoff(TimeSpan baseDelay, TimeSpan maxBackoff, Func<double> random)
{
    /// <summary>The delay after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var ceiling = Math.Min(maxBackoff.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ceiling * random());
    }
}
