using BatchOps.Contracts;

namespace BatchOps.Worker.Jobs;

/// <summary>A job failed. Not retryable unless it is a <see cref="RetryableJobException"/>.</summary>
public class JobFailedException(string message, int exitCode = WorkerExitCodes.Fatal, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public virtual string ErrorName => ExitCode == WorkerExitCodes.Retryable ? WorkerErrorNames.Retryable : WorkerErrorNames.Fatal;
}

/// <summary>A transient failure (a dependency was down, a lock was held): the workflow may retry the task.</summary>
public sealed class RetryableJobException(string message, Exception? inner = null) : JobFailedException(message, WorkerExitCodes.Retryable, inner);

/// <summary>The job was started with arguments it cannot use. The worker prints its usage.</summary>
public sealed class JobUsageException(string message) : JobFailedException(message)
{
    public override string ErrorName => WorkerErrorNames.Usage;
}
