using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.TestSupport;

/// <summary>
/// A fake clock that also remembers every wait it was asked for (Task.Delay and timers through it), so a test can wait
/// until code under test is waiting, advance exactly that far, and assert on the delays it asked for.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentQueue<TimeSpan> _requested = new();

    /// <summary>Due times of the timers created so far, in order.</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays => [.. _requested];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _requested.Enqueue(dueTime);
        return timer;
    }

    /// <summary>Waits until at least <paramref name="count"/> timers were created, and returns the last one's due time.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(int count, string what)
    {
        var delays = await Eventually.PollAsync($"{what} (timer #{count})", () => RequestedDelays, d => d.Count >= count, describe: d => $"{d.Count} timers: {string.Join(", ", d)}");
        return delays[count - 1];
    }
}
