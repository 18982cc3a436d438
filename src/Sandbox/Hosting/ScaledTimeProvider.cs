namespace BatchOps.Sandbox.Hosting;

/// <summary>
/// A clock that runs <see cref="Factor"/> times faster than real time: Wait states, retries, timeouts and
/// schedules keep their proportions but finish quickly. Used by tests and by the sandbox's TimeScale setting.
/// </summary>
public sealed class ScaledTimeProvider(double factor, TimeProvider? inner = null) : TimeProvider
{
    private readonly TimeProvider _inner = inner ?? System;
    private readonly DateTimeOffset _origin = (inner ?? System).GetUtcNow();
    private readonly long _originTimestamp = (inner ?? System).GetTimestamp();

    public double Factor { get; } = factor > 0 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), "The time scale must be positive.");

    public override DateTimeOffset GetUtcNow() => _origin + (_inner.GetElapsedTime(_originTimestamp) * Factor);

    public override long GetTimestamp() => _originTimestamp + (long)((_inner.GetTimestamp() - _originTimestamp) * Factor);

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(_inner.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan value) => value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : value / Factor;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
