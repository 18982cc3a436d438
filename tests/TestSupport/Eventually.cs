using System.Diagnostics;

namespace BatchOps.TestSupport;

/// <summary>
/// The one way tests wait for something another process or thread does: poll until a condition holds, and when it does
/// not within the time allowed, fail with what was awaited and the last value seen (never fall through to a null).
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> accepts its value, and returns that value.</summary>
    public static async Task<T> WaitUntilAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, Func<T, string?>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        var polls = 0;
        while (true)
        {
            var value = await probe();
            polls++;
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                var last = describe is null ? value?.ToString() : describe(value);
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s ({polls} checks) for {what}; last seen: {last ?? "null"}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>As <see cref="WaitUntilAsync{T}(string, Func{Task{T}}, Func{T, bool}, TimeSpan?, Func{T, string?}?)"/> for a value read without awaiting.</summary>
    public static Task<T> PollAsync<T>(string what, Func<T> probe, Func<T, bool> done, TimeSpan? timeout = null, Func<T, string?>? describe = null) =>
        WaitUntilAsync(what, () => Task.FromResult(probe()), done, timeout, describe);

    /// <summary>Waits for a condition with no interesting value.</summary>
    public static Task PollAsync(string what, Func<bool> condition, TimeSpan? timeout = null) =>
        PollAsync(what, condition, ok => ok, timeout);

    /// <summary>Polls until <paramref name="probe"/> returns a value that is not null.</summary>
    public static async Task<T> NotNullAsync<T>(string what, Func<Task<T?>> probe, TimeSpan? timeout = null)
        where T : class =>
        (await WaitUntilAsync(what, probe, v => v is not null, timeout))!;
}
