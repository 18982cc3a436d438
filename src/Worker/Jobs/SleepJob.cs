using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Jobs;

/// <summary>Waits, cancellably: the job the stop, timeout and heartbeat paths are tested with.</summary>
[BatchJob("sleep", "<seconds>", "wait the given number of seconds (fractions allowed), then succeed")]
public sealed partial class SleepJob : IBatchJob
{
    public async Task<JsonNode?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (context.Arguments.Count != 1
            || !double.TryParse(context.Arguments[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.FromDays(1).TotalSeconds)
        {
            throw new JobUsageException("sleep takes one argument: a number of seconds between 0 and 86400.");
        }

        Log.Sleeping(context.Logger, seconds);
        await Task.Delay(TimeSpan.FromSeconds(seconds), context.Time, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["sleptSeconds"] = seconds };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Sleeping {Seconds} s")]
        public static partial void Sleeping(ILogger logger, double seconds);
    }
}
