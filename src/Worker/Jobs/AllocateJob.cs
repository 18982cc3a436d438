using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Jobs;

/// <summary>Allocates and touches memory, then holds it: drives a task past its memory limit (OutOfMemoryError, exit 137).</summary>
[BatchJob("allocate", "<MiB> [hold-seconds]", "allocate and touch MiB of memory, hold it (default 1 s), then succeed")]
public sealed partial class AllocateJob : IBatchJob
{
    private const int MiB = 1024 * 1024;

    public async Task<JsonNode?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (context.Arguments.Count is < 1 or > 2
            || !int.TryParse(context.Arguments[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mebibytes)
            || mebibytes is < 1 or > 65536)
        {
            throw new JobUsageException("allocate takes a size in MiB between 1 and 65536 and optional hold seconds.");
        }

        var hold = 1.0;
        if (context.Arguments.Count == 2
            && (!double.TryParse(context.Arguments[1], NumberStyles.Float, CultureInfo.InvariantCulture, out hold) || hold is < 0 or > 3600))
        {
            throw new JobUsageException("allocate's hold seconds must be between 0 and 3600.");
        }

        var blocks = new List<byte[]>(mebibytes);
        for (var i = 0; i < mebibytes; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = GC.AllocateUninitializedArray<byte>(MiB);
            // Touch every page so the memory is resident, not just reserved.
            for (var offset = 0; offset < block.Length; offset += 4096)
            {
                block[offset] = 1;
            }

            blocks.Add(block);
        }

        Log.Allocated(context.Logger, mebibytes, hold);
        await Task.Delay(TimeSpan.FromSeconds(hold), context.Time, cancellationToken).ConfigureAwait(false);
        GC.KeepAlive(blocks);
        return new JsonObject { ["allocatedMiB"] = mebibytes };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Allocated {MiB} MiB; holding it {Seconds} s")]
        public static partial void Allocated(ILogger logger, int miB, double seconds);
    }
}
