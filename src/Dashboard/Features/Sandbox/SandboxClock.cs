namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// The dashboard's "now" in sandbox mode: the sandbox's clock, which may run faster (Sandbox:TimeScale), so execution
/// times, relative times and schedules' fire times agree with the executions the sandbox runs. Only the time of day is
/// the sandbox's: timers and elapsed-time measurements stay real, so refreshes and debounces keep their pace.
/// </summary>
public sealed class SandboxClock(TimeProvider real) : TimeProvider
{
    private Anchor _anchor = new(real.GetUtcNow(), real.GetTimestamp(), 1);

    public double Scale => _anchor.Scale;

    /// <summary>Takes the sandbox's now and clock speed (from its health check).</summary>
    public void Align(DateTimeOffset sandboxNow, double scale) => _anchor = new Anchor(sandboxNow, real.GetTimestamp(), scale > 0 ? scale : 1);

    public override DateTimeOffset GetUtcNow()
    {
        var anchor = _anchor;
        return anchor.Now + (real.GetElapsedTime(anchor.Timestamp) * anchor.Scale);
    }

    public override long GetTimestamp() => real.GetTimestamp();

    public override long TimestampFrequency => real.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => real.CreateTimer(callback, state, dueTime, period);

    private sealed record Anchor(DateTimeOffset Now, long Timestamp, double Scale);
}

/// <summary>Aligns <see cref="SandboxClock"/> with the sandbox once it answers (registered after the service that starts or finds it).</summary>
public sealed partial class SandboxClockAlignment(SandboxAdminClient sandbox, SandboxClock clock, ILogger<SandboxClockAlignment> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await sandbox.GetClockAsync(cancellationToken).ConfigureAwait(false) is { } sandboxClock)
        {
            clock.Align(sandboxClock.Now, sandboxClock.Scale);
            LogAligned(sandboxClock.Now, sandboxClock.Scale);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard clock follows the sandbox's: {Now:u}, {Scale}x real time")]
    private partial void LogAligned(DateTimeOffset now, double scale);
}
