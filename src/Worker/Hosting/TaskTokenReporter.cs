using System.Text;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Worker.Jobs;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Hosting;

/// <summary>
/// The WAIT_FOR_TASK_TOKEN side of the worker: reports the job's result and keeps the task alive with
/// heartbeats. Transient callback failures are retried by the AWS client (SendTask* are idempotent);
/// a dead token (TaskTimedOut, InvalidToken, TaskDoesNotExist) ends the attempt.
/// </summary>
public sealed partial class TaskTokenReporter(IAmazonStepFunctions stepFunctions, TimeProvider time, ILogger<TaskTokenReporter> logger)
{
    /// <summary>SendTaskSuccess's output limit (the model's SensitiveData max), in UTF-8 bytes.</summary>
    public const int MaxOutputBytes = 262_144;

    /// <summary>SendTaskFailure's limits (SensitiveError, SensitiveCause).</summary>
    public const int MaxErrorLength = 256;

    public const int MaxCauseLength = 32_768;

    /// <summary>Sends the output, or a clear failure when it exceeds the limit. Returns the exit code to use.</summary>
    public async Task<int> ReportSuccessAsync(string token, string output, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetByteCount(output);
        if (bytes > MaxOutputBytes)
        {
            var cause = $"The job's output is {bytes} bytes; Step Functions accepts at most {MaxOutputBytes} (256 KiB). Write large results elsewhere (for example S3) and return a reference.";
            Log.OutputTooLarge(logger, bytes, MaxOutputBytes);
            await ReportFailureAsync(token, WorkerErrorNames.OutputTooLarge, cause, cancellationToken).ConfigureAwait(false);
            return WorkerExitCodes.Fatal;
        }

        return await SendAsync("SendTaskSuccess", ct => stepFunctions.SendTaskSuccessAsync(new() { TaskToken = token, Output = output }, ct), cancellationToken).ConfigureAwait(false)
            ? WorkerExitCodes.Success
            : WorkerExitCodes.Fatal;
    }

    /// <summary>Reports a failure; error and cause are cut to the API's limits. Returns whether Step Functions accepted it.</summary>
    public Task<bool> ReportFailureAsync(string token, string error, string cause, CancellationToken cancellationToken)
    {
        var request = new SendTaskFailureRequest
        {
            TaskToken = token,
            Error = Truncate(error, MaxErrorLength),
            Cause = Truncate(cause, MaxCauseLength),
        };
        return SendAsync("SendTaskFailure", ct => stepFunctions.SendTaskFailureAsync(request, ct), cancellationToken);
    }

    /// <summary>
    /// Sends a heartbeat every <paramref name="interval"/> until cancelled. Cancels <paramref name="lost"/>
    /// when Step Functions says the task is gone, so the job stops working for nobody.
    /// </summary>
    public async Task HeartbeatAsync(string token, TimeSpan interval, CancellationTokenSource lost, CancellationToken cancellationToken)
    {
        try
        {
            // Wait after each beat rather than on a fixed timer: a slow call must not cause a burst of beats.
            while (true)
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
                try
                {
                    await stepFunctions.SendTaskHeartbeatAsync(new() { TaskToken = token }, cancellationToken).ConfigureAwait(false);
                    Log.HeartbeatSent(logger);
                }
                catch (AmazonStepFunctionsException e) when (IsDeadToken(e))
                {
                    Log.TokenRejected(logger, "SendTaskHeartbeat", e.ErrorCode, e.ErrorMessage);
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is AwsServiceException or AwsTransportException)
                {
                    // Retries are exhausted for this beat; the next one may get through before the timeout.
                    Log.HeartbeatFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The job finished; heartbeats stop with it.
        }
    }

    private async Task<bool> SendAsync(string operation, Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        try
        {
            await send(cancellationToken).ConfigureAwait(false);
            Log.Reported(logger, operation);
            return true;
        }
        catch (AmazonStepFunctionsException e) when (IsDeadToken(e))
        {
            Log.TokenRejected(logger, operation, e.ErrorCode, e.ErrorMessage);
            return false;
        }
        catch (Exception e) when (e is AwsServiceException or AwsTransportException or OperationCanceledException)
        {
            Log.CallbackFailed(logger, operation, e.Message);
            return false;
        }
    }

    private static bool IsDeadToken(AmazonStepFunctionsException e) =>
        e is TaskTimedOutException or InvalidTokenException or TaskDoesNotExistException;

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Operation} accepted by Step Functions")]
        public static partial void Reported(ILogger logger, string operation);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Heartbeat sent")]
        public static partial void HeartbeatSent(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed after retries: {Reason}")]
        public static partial void HeartbeatFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} rejected: {ErrorCode}: {ErrorMessage}. The task token is no longer valid (the state timed out, was stopped or the token is wrong); the result is not delivered.")]
        public static partial void TokenRejected(ILogger logger, string operation, string errorCode, string errorMessage);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} failed after retries: {Reason}. The state will fail by its timeout.")]
        public static partial void CallbackFailed(ILogger logger, string operation, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Output of {Bytes} bytes exceeds the {Limit}-byte SendTaskSuccess limit; reporting failure instead of truncating")]
        public static partial void OutputTooLarge(ILogger logger, int bytes, int limit);
    }
}
