using System.Net;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.Features.Telemetry;
using BatchOps.Dashboard.ReadModel;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// Sends one claimed operation to AWS and writes how it ended. Each request is safe to send again (a restart, a
/// throttle): a start asks for its recorded name, a redrive carries the same client token, a stop or an answer to a
/// task token is checked against the execution first. When AWS throttles, fails or cannot be reached the operation stays
/// pending and recovery sends it again later, until <see cref="OperationOptions.GiveUpAfter"/>.
/// </summary>
public sealed partial class OperationExecutor(
    IAmazonStepFunctions stepFunctions,
    OperationLedger ledger,
    IExecutionRefresher refresher,
    IEnumerable<IOperationSender> senders,
    TimeProvider time,
    IOptions<OperationOptions> options,
    DashboardMetrics metrics,
    ILogger<OperationExecutor> logger)
{
    /// <summary>Sends the operation (the caller holds its claim) and returns it as it now stands.</summary>
    public async Task<OperationRecord> SendAsync(OperationRecord operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        OperationCompletion completion;
        try
        {
            completion = operation.Kind switch
            {
                OperationKind.Start or OperationKind.Rerun or OperationKind.RunScheduleNow => await StartAsync(OperationJson.Read<StartParameters>(operation.Parameters), cancellationToken).ConfigureAwait(false),
                OperationKind.Redrive => await RedriveAsync(operation, cancellationToken).ConfigureAwait(false),
                OperationKind.Stop => await StopAsync(operation, cancellationToken).ConfigureAwait(false),
                OperationKind.SendTaskSuccess or OperationKind.SendTaskFailure => await AnswerAsync(operation, cancellationToken).ConfigureAwait(false),
                _ when senders.FirstOrDefault(x => x.Sends(operation.Kind)) is { } sender => await sender.SendAsync(operation, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"{operation.Kind} is carried out by its bulk job, not sent."),
            };
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            var firstAsked = operation.StartedAt ?? operation.RequestedAt;
            if (time.GetUtcNow() - firstAsked > options.Value.GiveUpAfter)
            {
                completion = new OperationCompletion(OperationStatus.Failed, ErrorCode: "GaveUp",
                    ErrorMessage: $"AWS did not accept it within {options.Value.GiveUpAfter} ({operation.Attempts} attempts); last: {Describe(e)}", AwsRequestId: (e as AwsServiceException)?.RequestId);
            }
            else
            {
                var retryAt = time.GetUtcNow() + options.Value.RetryAfter;
                LogDeferred(operation.Id, operation.Kind, retryAt, Describe(e));
                await ledger.DeferAsync(operation.Id, $"Attempt {operation.Attempts} did not reach AWS ({Describe(e)}); trying again after {retryAt:u}.", retryAt, CancellationToken.None).ConfigureAwait(false);
                return (await ledger.GetAsync(operation.Id, CancellationToken.None).ConfigureAwait(false))!;
            }
        }
        catch (AwsServiceException e)
        {
            // AWS's own answer, verbatim, with its request id.
            completion = new OperationCompletion(OperationStatus.Failed, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage, AwsRequestId: e.RequestId);
        }

        await ledger.CompleteAsync(operation.Id, completion, CancellationToken.None).ConfigureAwait(false);
        LogCompleted(operation.Id, operation.Kind, operation.Actor, operation.TargetArn ?? "", completion.Status, completion.ErrorCode ?? "", completion.AwsRequestId ?? "");
        metrics.OperationCompleted(operation.Kind.ToString(), completion.Status.ToString());
        if (completion.Status == OperationStatus.Succeeded)
        {
            RefreshInBackground(operation.TargetArn, completion.ResultArn);
        }

        return (await ledger.GetAsync(operation.Id, CancellationToken.None).ConfigureAwait(false))!;
    }

    private async Task<OperationCompletion> StartAsync(StartParameters p, CancellationToken cancellationToken)
    {
        // A re-run's input was stored with its secrets redacted: they come back from the original execution, which AWS keeps.
        var input = p.Input;
        if (p.RerunOf is { } rerunOf && input.Contains(SecretRedactor.Marker, StringComparison.Ordinal))
        {
            var original = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = rerunOf }, cancellationToken).ConfigureAwait(false);
            if (SecretRedactor.Restore(input, original.Input ?? "{}") is not { } restored)
            {
                return new OperationCompletion(OperationStatus.Failed, ErrorCode: "SecretNotRestorable",
                    ErrorMessage: $"The re-run keeps redacted values from {original.Name}, whose input no longer has them; nothing was started.");
            }

            input = restored;
        }

        try
        {
            var started = await stepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = p.StateMachineArn, Name = p.Name, Input = input }, cancellationToken).ConfigureAwait(false);
            return new OperationCompletion(OperationStatus.Succeeded, started.ExecutionArn, $"started {p.Name}", AwsRequestId: started.ResponseMetadata.RequestId);
        }
        catch (ExecutionAlreadyExistsException e)
        {
            // Ours, sent before a restart (or by a concurrent retry) if it has our input; else a name clash to report.
            var arn = ExecutionArn(p.StateMachineArn, p.Name);
            var existing = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = arn }, cancellationToken).ConfigureAwait(false);
            return existing.Input == input
                ? new OperationCompletion(OperationStatus.Succeeded, arn, $"started {p.Name}", AwsRequestId: existing.ResponseMetadata.RequestId)
                : new OperationCompletion(OperationStatus.Failed, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage + " (an execution with this name and a different input exists; choose another name)", AwsRequestId: e.RequestId);
        }
    }

    private async Task<OperationCompletion> RedriveAsync(OperationRecord operation, CancellationToken cancellationToken)
    {
        var p = OperationJson.Read<RedriveParameters>(operation.Parameters);
        try
        {
            var token = IdempotencyKeys.ClientToken(operation.IdempotencyKey, operation.Generation);
            var redriven = await stepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = p.ExecutionArn, ClientToken = token }, cancellationToken).ConfigureAwait(false);
            return new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"redriven at {redriven.RedriveDate:u}", AwsRequestId: redriven.ResponseMetadata.RequestId);
        }
        catch (ExecutionNotRedrivableException e) when (operation.Attempts > 1 && p.RedriveCount is { } before)
        {
            // Sent before a restart and the token's 15 minutes are over: the count says whether it went through.
            var now = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = p.ExecutionArn }, cancellationToken).ConfigureAwait(false);
            return now.RedriveCount > before
                ? new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"redriven (its redrive count is now {now.RedriveCount})", AwsRequestId: now.ResponseMetadata.RequestId)
                : new OperationCompletion(OperationStatus.Failed, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage, AwsRequestId: e.RequestId);
        }
    }

    private async Task<OperationCompletion> StopAsync(OperationRecord operation, CancellationToken cancellationToken)
    {
        var p = OperationJson.Read<StopParameters>(operation.Parameters);
        if (operation.Attempts > 1)
        {
            var now = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = p.ExecutionArn }, cancellationToken).ConfigureAwait(false);
            if (now.Status == ExecutionStatus.ABORTED)
            {
                return new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"stopped at {now.StopDate:u}", AwsRequestId: now.ResponseMetadata.RequestId);
            }
        }

        var stopped = await stepFunctions.StopExecutionAsync(new StopExecutionRequest { ExecutionArn = p.ExecutionArn, Error = p.Error, Cause = p.Cause }, cancellationToken).ConfigureAwait(false);
        return new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"stopped at {stopped.StopDate:u}", AwsRequestId: stopped.ResponseMetadata.RequestId);
    }

    private async Task<OperationCompletion> AnswerAsync(OperationRecord operation, CancellationToken cancellationToken)
    {
        var p = OperationJson.Read<CallbackParameters>(operation.Parameters);
        var events = await HistoryAsync(p.ExecutionArn, cancellationToken).ConfigureAwait(false);
        var waiting = WaitingTask.Find(events);
        if (waiting is null || waiting.ScheduledEventId != p.ScheduledEventId)
        {
            // Answered before a restart (ours), or by the worker after all, or the execution ended.
            var answer = events.FirstOrDefault(e => e.Id > p.ScheduledEventId && e.Type is "TaskSucceeded" or "TaskFailed" or "TaskTimedOut");
            return operation.Attempts > 1 && answer?.Type == (operation.Kind == OperationKind.SendTaskSuccess ? "TaskSucceeded" : "TaskFailed")
                ? new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"{p.StateName} answered ({answer.Type})")
                : new OperationCompletion(OperationStatus.Failed, ErrorCode: "NotWaiting", ErrorMessage: $"{p.StateName} is no longer waiting for its task token{(answer is null ? "" : $" ({answer.Type} at {answer.Timestamp:u})")}; nothing was sent.");
        }

        if (operation.Kind == OperationKind.SendTaskSuccess)
        {
            var sent = await stepFunctions.SendTaskSuccessAsync(new SendTaskSuccessRequest { TaskToken = waiting.Token, Output = p.Output ?? "{}" }, cancellationToken).ConfigureAwait(false);
            return new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"{p.StateName} answered with success", AwsRequestId: sent.ResponseMetadata.RequestId);
        }

        var failed = await stepFunctions.SendTaskFailureAsync(new SendTaskFailureRequest { TaskToken = waiting.Token, Error = p.Error, Cause = p.Cause }, cancellationToken).ConfigureAwait(false);
        return new OperationCompletion(OperationStatus.Succeeded, p.ExecutionArn, $"{p.StateName} answered with failure {p.Error}", AwsRequestId: failed.ResponseMetadata.RequestId);
    }

    /// <summary>The execution's history, oldest first, straight from AWS (the read model's copy may be behind).</summary>
    public async Task<List<HistoryEvent>> HistoryAsync(string executionArn, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEvent>();
        await foreach (var page in stepFunctions.GetExecutionHistoryPagesAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = 1000 }, cancellationToken).ConfigureAwait(false))
        {
            events.AddRange(page.Events);
        }

        return events;
    }

    public static string ExecutionArn(string stateMachineArn, string name)
    {
        ArgumentNullException.ThrowIfNull(stateMachineArn);
        return stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name;
    }

    /// <summary>Worth sending again: throttled past the client's retries, a 5xx, or AWS not reached at all.</summary>
    public static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        AwsServiceException aws => aws.IsThrottling || (int)aws.StatusCode >= 500,
        AwsTransportException or HttpRequestException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static string Describe(Exception e) => e is AwsServiceException aws ? $"{aws.ErrorCode}: {aws.ErrorMessage} (request id {aws.RequestId ?? "none"})" : e.Message;

    /// <summary>The pages show the new state at once rather than at the next sync.</summary>
    private void RefreshInBackground(params string?[] arns)
    {
        foreach (var arn in arns.Where(a => a?.Contains(":execution:", StringComparison.Ordinal) == true).Distinct(StringComparer.Ordinal))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await refresher.RefreshAsync(arn!, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The sync catches up anyway; a failed refresh is only a delay.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogRefreshFailed(arn!, e.Message);
                }
            });
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Operation {Id} ({Kind}) by {Actor} on {Target}: {Status} {ErrorCode} (request id {RequestId})")]
    private partial void LogCompleted(long id, OperationKind kind, string actor, string target, OperationStatus status, string errorCode, string requestId);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Operation {Id} ({Kind}) did not reach AWS, retrying after {RetryAt}: {Reason}")]
    private partial void LogDeferred(long id, OperationKind kind, DateTimeOffset retryAt, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Refreshing {Arn} after an operation failed: {Reason}")]
    private partial void LogRefreshFailed(string arn, string reason);
}
