namespace BatchOps.Worker.Jobs;

/// <summary>The worker's exit codes, which the workflows' Retry rules and the dashboard rely on.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Failed; retrying will not help (bad input, a bug, a usage error).</summary>
    public const int Fatal = 1;

    /// <summary>Failed for a transient reason; the workflow may retry.</summary>
    public const int Retryable = 2;

    /// <summary>Stopped by SIGTERM (128 + 15), as a shell reports it.</summary>
    public const int Interrupted = 143;
}

/// <summary>The stable error names the worker reports with SendTaskFailure, matched by the workflows' Retry/Catch.</summary>
public static class ErrorNames
{
    public const string Fatal = "BatchOps.Fatal";
    public const string Retryable = "BatchOps.Retryable";
    public const string Interrupted = "BatchOps.Interrupted";
    public const string Usage = "BatchOps.Usage";
    public const string OutputTooLarge = "BatchOps.OutputTooLarge";
}

/// <summary>A job failed. Not retryable unless it is a <see cref="RetryableJobException"/>.</summary>
public class JobFailedException(string message, int exitCode = ExitCodes.Fatal, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public virtual string ErrorName => ExitCode == ExitCodes.Retryable ? ErrorNames.Retryable : ErrorNames.Fatal;
}

/// <summary>A transient failure (a dependency was down, a lock was held): the workflow may retry the task.</summary>
public sealed class RetryableJobException(string message, Exception? inner = null) : JobFailedException(message, ExitCodes.Retryable, inner);

/// <summary>The job was started with arguments it cannot use. The worker prints its usage.</summary>
public sealed class JobUsageException(string message) : JobFailedException(message)
{
    public override string ErrorName => ErrorNames.Usage;
}
