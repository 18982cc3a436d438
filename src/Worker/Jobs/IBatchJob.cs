using System.Text.Json.Nodes;

namespace BatchOps.Worker.Jobs;

/// <summary>
/// One batch job. Implement it in a class marked <see cref="BatchJobAttribute"/> and the worker finds it:
/// the container command's first word selects the job, the rest are its arguments.
/// </summary>
public interface IBatchJob
{
    /// <summary>
    /// Runs the job. Return the output (sent to Step Functions in task-token mode), or null for none.
    /// Throw <see cref="JobUsageException"/> for bad arguments, <see cref="RetryableJobException"/> for a
    /// transient failure, <see cref="JobFailedException"/> for a permanent one. Honour the token: ECS
    /// stops tasks with SIGTERM and the worker cancels it.
    /// </summary>
    Task<JsonNode?> RunAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>Names a job for the command line and describes its arguments for the usage text.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BatchJobAttribute(string name, string arguments, string summary) : Attribute
{
    public string Name { get; } = name;

    public string Arguments { get; } = arguments;

    public string Summary { get; } = summary;
}
