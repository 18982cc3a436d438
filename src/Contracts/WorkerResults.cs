namespace BatchOps.Contracts;

/// <summary>The worker's exit codes: what the workflows retry on and the dashboard explains.</summary>
public static class WorkerExitCodes
{
    public const int Success = 0;

    /// <summary>Failed; retrying will not help (bad input, a bug, a usage error).</summary>
    public const int Fatal = 1;

    /// <summary>Failed for a transient reason; the workflow retries.</summary>
    public const int Retryable = 2;

    /// <summary>The kernel killed the container (out of memory, or SIGKILL after the stop timeout).</summary>
    public const int Killed = 137;

    /// <summary>Stopped by SIGTERM (128 + 15), as a shell reports it: ECS stop, scale-in, Spot.</summary>
    public const int Interrupted = 143;
}

/// <summary>The error names the worker reports with SendTaskFailure, matched by the workflows' Retry and the dashboard's classifier.</summary>
public static class WorkerErrorNames
{
    public const string Fatal = "BatchOps.Fatal";
    public const string Retryable = "BatchOps.Retryable";
    public const string Interrupted = "BatchOps.Interrupted";
    public const string Usage = "BatchOps.Usage";
    public const string OutputTooLarge = "BatchOps.OutputTooLarge";
}
