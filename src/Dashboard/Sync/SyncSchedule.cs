using System.Globalization;

namespace BatchOps.Dashboard.Sync;

/// <summary>Job intervals as the six-field cron (seconds first) Hangfire's recurring jobs take.</summary>
public static class SyncSchedule
{
    /// <summary>The cron for an even interval, or null when the interval does not divide a minute, an hour or a day.</summary>
    public static string? Cron(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero || interval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return null;
        }

        var seconds = (long)interval.TotalSeconds;
        string Every(long n) => n == 1 ? "*" : "*/" + n.ToString(CultureInfo.InvariantCulture);
        return seconds switch
        {
            < 60 when 60 % seconds == 0 => $"{Every(seconds)} * * * * *",
            < 3600 when seconds % 60 == 0 && 60 % (seconds / 60) == 0 => $"0 {Every(seconds / 60)} * * * *",
            <= 86_400 when seconds % 3600 == 0 && 24 % (seconds / 3600) == 0 => $"0 0 {Every(seconds / 3600)} * * *",
            _ => null,
        };
    }
}
