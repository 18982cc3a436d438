using System.Text.Json.Nodes;
using System.Text.Json;
using BatchOps.Contracts;
using BatchOps.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Hosting;

/// <summary>
/// Runs one job to an exit code: selects it from the command line, cancels it on SIGTERM, and in
/// task-token mode reports the result and sends heartbeats.
/// </summary>
public sealed partial class JobRunner(
    JobRegistry registry,
    WorkerSettings settings,
    IServiceProvider services,
    Func<string, string?> environment,
    TimeProvider time,
    TextWriter error,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<JobRunner>();

    /// <param name="arguments">The container command: job name, then its arguments.</param>
    /// <param name="stopping">Cancelled on SIGTERM.</param>
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken stopping)
    {
        if (arguments.Count == 0 || !registry.TryGet(arguments[0], out var jobType))
        {
            var problem = arguments.Count == 0 ? "no job given" : $"unknown job '{arguments[0]}'";
            await error.WriteAsync($"error: {problem}\n\n{registry.Usage()}").ConfigureAwait(false);
            await ReportIfTokenAsync(WorkerErrorNames.Usage, problem, CancellationToken.None).ConfigureAwait(false);
            return WorkerExitCodes.Fatal;
        }

        var name = arguments[0];
        var job = (IBatchJob)ActivatorUtilities.CreateInstance(services, jobType);
        var context = new JobContext(name, arguments.Skip(1).ToArray(), environment, loggers.CreateLogger(jobType), time);

        using var tokenLost = new CancellationTokenSource();
        using var jobCancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping, tokenLost.Token);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = settings is { TaskToken: { } heartbeatToken, HeartbeatInterval: { } interval }
            ? Reporter.HeartbeatAsync(heartbeatToken, interval, tokenLost, heartbeatStop.Token)
            : Task.CompletedTask;

        Log.Started(_logger, name, arguments.Count - 1, settings.TaskToken is not null);
        var started = time.GetTimestamp();
        Outcome outcome;
        try
        {
            var output = await job.RunAsync(context, jobCancellation.Token).ConfigureAwait(false);
            outcome = Outcome.Succeeded(output);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            outcome = new(WorkerExitCodes.Interrupted, WorkerErrorNames.Interrupted, "The task was stopped (SIGTERM) before the job finished.", null);
        }
        catch (OperationCanceledException) when (tokenLost.IsCancellationRequested)
        {
            outcome = new(WorkerExitCodes.Fatal, null, "Step Functions no longer accepts this task's token.", null);
        }
        catch (JobUsageException e)
        {
            await error.WriteAsync($"error: {e.Message}\n\n{registry.Usage(name)}").ConfigureAwait(false);
            outcome = new(e.ExitCode, e.ErrorName, e.Message, null);
        }
        catch (JobFailedException e)
        {
            outcome = new(e.ExitCode, e.ErrorName, e.Message, null);
        }
#pragma warning disable CA1031 // A job's unexpected exception is a failed run, reported like any other.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.Crashed(_logger, e, name);
            outcome = new(WorkerExitCodes.Fatal, e.GetType().FullName ?? WorkerErrorNames.Fatal, e.Message, null);
        }

        await heartbeatStop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started);

        // After SIGTERM the report must fit in the stop grace, so callbacks get a deadline then.
        using var callbackDeadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        if (stopping.IsCancellationRequested)
        {
            callbackDeadline.CancelAfter(settings.StopGrace / 2);
        }

        if (outcome.ExitCode == WorkerExitCodes.Success)
        {
            var output = outcome.Output?.ToJsonString() ?? "{}";
            Log.Succeeded(_logger, name, elapsed.TotalSeconds, output.Length <= 4096 ? output : $"({output.Length} characters)");
            return settings.TaskToken is { } token
                ? await Reporter.ReportSuccessAsync(token, output, callbackDeadline.Token).ConfigureAwait(false)
                : WorkerExitCodes.Success;
        }

        Log.Failed(_logger, name, outcome.ExitCode, outcome.ErrorName ?? "none", outcome.Cause, elapsed.TotalSeconds);
        if (outcome.ErrorName is not null)
        {
            await ReportIfTokenAsync(outcome.ErrorName, outcome.Cause, callbackDeadline.Token).ConfigureAwait(false);
        }

        return outcome.ExitCode;
    }

    private TaskTokenReporter Reporter => services.GetRequiredService<TaskTokenReporter>();

    private async Task ReportIfTokenAsync(string errorName, string cause, CancellationToken cancellationToken)
    {
        if (settings.TaskToken is { } token)
        {
            await Reporter.ReportFailureAsync(token, errorName, cause, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record Outcome(int ExitCode, string? ErrorName, string Cause, JsonNode? Output)
    {
        public static Outcome Succeeded(JsonNode? output) => new(WorkerExitCodes.Success, null, string.Empty, output);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} started with {ArgumentCount} arguments (task-token mode: {TaskTokenMode})")]
        public static partial void Started(ILogger logger, string job, int argumentCount, bool taskTokenMode);

        [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} succeeded in {Seconds:0.###} s; output {Output}")]
        public static partial void Succeeded(ILogger logger, string job, double seconds, string output);

        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job} failed with exit code {ExitCode} ({Error}): {Cause} after {Seconds:0.###} s")]
        public static partial void Failed(ILogger logger, string job, int exitCode, string error, string cause, double seconds);

        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job} threw an unexpected exception")]
        public static partial void Crashed(ILogger logger, Exception exception, string job);
    }
}
