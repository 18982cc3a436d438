using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Jobs;

/// <summary>What a job gets to work with: its arguments, the environment, a logger and the clock.</summary>
public sealed record JobContext(string JobName, IReadOnlyList<string> Arguments, Func<string, string?> Environment, ILogger Logger, TimeProvider Time)
{
    /// <summary>The value following <paramref name="option"/> (e.g. <c>--date 2026-11-21</c>), or null when absent.</summary>
    public string? Option(string option)
    {
        var index = Arguments.ToList().IndexOf(option);
        if (index < 0)
        {
            return null;
        }

        return index + 1 < Arguments.Count ? Arguments[index + 1] : throw new JobUsageException($"{option} needs a value.");
    }
}
