using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Jobs;

/// <summary>
/// A small daily report over a synthetic, deterministic data set: the same date always gives the same
/// output, so workflows and tests can check what was passed on.
/// </summary>
[BatchJob("report", "--date <yyyy-mm-dd>", "compute the daily report for a date and return it as the output")]
public sealed partial class ReportJob : IBatchJob
{
    public Task<JsonNode?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var text = context.Option("--date") ?? throw new JobUsageException("report needs --date <yyyy-mm-dd>.");
        if (context.Arguments.Count != 2
            || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new JobUsageException($"report takes exactly --date <yyyy-mm-dd>; '{text}' is not a date in that form.");
        }

        var records = 1000 + date.DayOfYear;
        long total = 0;
        long max = 0;
        for (var i = 0; i < records; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long amount = ((i * 7919L) + date.DayNumber) % 1000;
            total += amount;
            max = Math.Max(max, amount);
        }

        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{text}:{records}:{total}:{max}"))))[..16];
        Log.Computed(context.Logger, text, records, total);
        return Task.FromResult<JsonNode?>(new JsonObject
        {
            ["date"] = text,
            ["records"] = records,
            ["total"] = total,
            ["max"] = max,
            ["checksum"] = checksum,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Report for {Date}: {Records} records, total {Total}")]
        public static partial void Computed(ILogger logger, string date, int records, long total);
    }
}
