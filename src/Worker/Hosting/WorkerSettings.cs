using System.Globalization;
using BatchOps.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Hosting;

/// <summary>
/// How the workflow configured this run, from the container's environment (ECS environment overrides).
/// </summary>
public sealed record WorkerSettings(string? TaskToken, TimeSpan? HeartbeatInterval, TimeSpan StopGrace, LogLevel LogLevel)
{
    /// <summary>ECS's default stop timeout is 30 s; leave room to report the interruption and flush.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(25);

    /// <summary>Reads TASK_TOKEN, HEARTBEAT_SECONDS, STOP_GRACE_SECONDS and LOG_LEVEL. Returns an error message for bad values.</summary>
    public static (WorkerSettings? Settings, string? Error) From(IConfiguration configuration)
    {
        var token = configuration[WorkerEnvironment.TaskToken] is { Length: > 0 } t ? t : null;
        if (token is { Length: > 2048 })
        {
            return (null, "TASK_TOKEN is longer than the 2048 characters Step Functions issues.");
        }

        TimeSpan? heartbeat = null;
        if (configuration[WorkerEnvironment.HeartbeatSeconds] is { Length: > 0 } heartbeatText)
        {
            if (!TryPositiveSeconds(heartbeatText, out var seconds))
            {
                return (null, $"HEARTBEAT_SECONDS must be a positive number of seconds; got '{heartbeatText}'.");
            }

            // A heartbeat every third of the allowance survives one lost or slow call.
            heartbeat = TimeSpan.FromSeconds(seconds / 3);
        }

        var grace = DefaultStopGrace;
        if (configuration["STOP_GRACE_SECONDS"] is { Length: > 0 } graceText)
        {
            if (!TryPositiveSeconds(graceText, out var seconds))
            {
                return (null, $"STOP_GRACE_SECONDS must be a positive number of seconds; got '{graceText}'.");
            }

            grace = TimeSpan.FromSeconds(seconds);
        }

        var level = LogLevel.Information;
        if (configuration["LOG_LEVEL"] is { Length: > 0 } levelText && !TryLevel(levelText, out level))
        {
            return (null, $"LOG_LEVEL must be one of trace, debug, information, warning, error; got '{levelText}'.");
        }

        return (new WorkerSettings(token, heartbeat, grace, level), null);
    }

    private static bool TryPositiveSeconds(string text, out double seconds) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && double.IsFinite(seconds) && seconds > 0 && seconds <= 31_536_000;

    private static bool TryLevel(string text, out LogLevel level)
    {
        level = text.ToUpperInvariant() switch
        {
            "TRACE" => LogLevel.Trace,
            "DEBUG" => LogLevel.Debug,
            "INFO" or "INFORMATION" => LogLevel.Information,
            "WARN" or "WARNING" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            _ => LogLevel.None,
        };
        return level != LogLevel.None;
    }
}
