using System.Globalization;
using System.Text.Json.Nodes;
using BatchOps.Contracts;

namespace BatchOps.Worker.Jobs;

/// <summary>Fails on purpose with a chosen exit code: 2 is retryable, anything else is not.</summary>
[BatchJob("fail", "<exit-code> [message]", "fail with the exit code (1-255; 2 = retryable) and message")]
public sealed class FailJob : IBatchJob
{
    public Task<JsonNode?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (context.Arguments.Count is < 1 or > 2
            || !int.TryParse(context.Arguments[0], NumberStyles.None, CultureInfo.InvariantCulture, out var exitCode)
            || exitCode is < 1 or > 255)
        {
            throw new JobUsageException("fail takes an exit code between 1 and 255 and an optional message.");
        }

        var message = context.Arguments.Count == 2 ? context.Arguments[1] : $"Failing on purpose with exit code {exitCode}.";
        throw exitCode == WorkerExitCodes.Retryable ? new RetryableJobException(message) : new JobFailedException(message, exitCode);
    }
}
