using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>The error names a Retrier or Catcher handles, with the States.ALL / States.TaskFailed / States.Timeout families.</summary>
public sealed record ErrorMatcher(IReadOnlyList<string> ErrorEquals)
{
    /// <summary>States.ALL: anything but States.Runtime; States.TaskFailed: anything but the States.* errors; States.Timeout also a missed heartbeat.</summary>
    public bool Matches(string error) => ErrorEquals.Any(e =>
        e == error
        || (e == AslErrors.All && error != AslErrors.Runtime)
        || (e == AslErrors.TaskFailed && !error.StartsWith("States.", StringComparison.Ordinal))
        || (e == AslErrors.Timeout && error == AslErrors.HeartbeatTimeout));

    internal static ErrorMatcher From(JsonObject rule) =>
        new([.. (rule["ErrorEquals"] as JsonArray ?? throw new FormatException("These fields are required: [ErrorEquals]")).Select(e => e!.GetValue<string>())]);
}

/// <summary>One Retry rule: which errors, how many attempts, and the delay before each (backoff, cap, jitter).</summary>
public sealed record Retrier(ErrorMatcher Errors, double IntervalSeconds, int MaxAttempts, double BackoffRate, double? MaxDelaySeconds, bool FullJitter)
{
    internal static Retrier From(JsonObject rule) => new(
        ErrorMatcher.From(rule),
        rule["IntervalSeconds"]?.GetValue<double>() ?? 1,
        rule["MaxAttempts"]?.GetValue<int>() ?? 3,
        rule["BackoffRate"]?.GetValue<double>() ?? 2.0,
        rule["MaxDelaySeconds"]?.GetValue<double>(),
        rule["JitterStrategy"]?.GetValue<string>() == "FULL");

    /// <summary>The delay before retry number <paramref name="attempt"/> + 1; jitter draws from the interpreter's <paramref name="random"/>.</summary>
    public TimeSpan Delay(int attempt, Random random)
    {
        var seconds = IntervalSeconds * Math.Pow(BackoffRate, attempt);
        if (MaxDelaySeconds is { } max)
        {
            seconds = Math.Min(seconds, max);
        }

        return TimeSpan.FromSeconds(FullJitter ? seconds * random.NextDouble() : seconds);
    }
}

/// <summary>One Catch rule: which errors, where to go, where the error output goes, and what it assigns.</summary>
public sealed record Catcher(ErrorMatcher Errors, string Next, ResultPath ResultPath, PayloadTemplate? Assign)
{
    internal static Catcher From(JsonObject rule) => new(
        ErrorMatcher.From(rule),
        rule["Next"]?.GetValue<string>() ?? throw new FormatException("These fields are required: [Next] in a Catch rule"),
        ResultPath.Read(rule),
        rule["Assign"] is JsonObject assign ? PayloadTemplate.Compile(assign, "Assign") : null);
}

/// <summary>A state's Retry rules and the attempts each has used, for one entry of the state.</summary>
public sealed class RetryPolicy(IReadOnlyList<Retrier> retriers)
{
    private readonly int[] _attempts = new int[retriers.Count];

    /// <summary>The delay before the next attempt for <paramref name="error"/>, or null when no rule retries it any more.</summary>
    public TimeSpan? NextDelay(string error, Random random)
    {
        for (var i = 0; i < retriers.Count; i++)
        {
            if (retriers[i].Errors.Matches(error))
            {
                // The first rule that names the error decides, even when its attempts are used up.
                return _attempts[i] < retriers[i].MaxAttempts ? retriers[i].Delay(_attempts[i]++, random) : null;
            }
        }

        return null;
    }
}
