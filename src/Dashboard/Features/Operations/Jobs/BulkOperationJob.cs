using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Operations.Jobs;

/// <summary>
/// Carries out one bulk operation's items in order at its rate. It holds the bulk operation's claim while it runs
/// (renewed per item), so on any number of instances one job works on it; a job that finds the claim held by a live
/// runner leaves. After a restart recovery starts it again: items sent before are confirmed or resent with the same
/// request (never a second redrive), queued ones continue, and the pace continues from the last item sent.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed partial class BulkOperationJob(
    OperationLedger ledger,
    OperationExecutor executor,
    IAmazonStepFunctions stepFunctions,
    IDbContextFactory<ReadModelDbContext> contexts,
    TimeProvider time,
    IOptions<OperationOptions> options,
    ILogger<BulkOperationJob> logger)
{
    private const int Batch = 20;

    /// <summary>Hangfire passes its shutdown token for <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(long bulkId, CancellationToken cancellationToken)
    {
        if (!await ledger.TryClaimAsync(bulkId, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var bulk = (await ledger.GetAsync(bulkId, cancellationToken).ConfigureAwait(false))!;
        var parameters = OperationJson.Read<BulkParameters>(bulk.Parameters);
        var lastSent = await LastSentAsync(bulkId, cancellationToken).ConfigureAwait(false);
        LogStarted(bulkId, bulk.Kind, parameters.Count, parameters.RatePerSecond);

        // The claim on the bulk operation is renewed on its own clock, not per item: a slow send or a wait for an
        // item must never let it lapse while this runner works, or recovery would start a second runner beside it.
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = RenewWhileRunningAsync(bulkId, renewing.Token);
        try
        {
            await RunItemsAsync(bulkId, parameters, TimeSpan.FromSeconds(1 / parameters.RatePerSecond), lastSent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }
    }

    private async Task RunItemsAsync(long bulkId, BulkParameters parameters, TimeSpan interval, DateTimeOffset? lastSent, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = (await ledger.GetAsync(bulkId, cancellationToken).ConfigureAwait(false))!;
            if (current.CancelRequestedBy is { } by)
            {
                var cancelled = await ledger.CancelQueuedItemsAsync(bulkId, $"Cancelled by {by} before it was sent.", cancellationToken).ConfigureAwait(false);
                await FinishAsync(bulkId, OperationStatus.Cancelled, $"cancelled by {by}; {cancelled} not sent", cancellationToken).ConfigureAwait(false);
                return;
            }

            var items = await ledger.OpenItemsAsync(bulkId, 1, cancellationToken).ConfigureAwait(false);
            if (items.Count == 0)
            {
                await FinishAsync(bulkId, OperationStatus.Succeeded, null, cancellationToken).ConfigureAwait(false);
                return;
            }

            var item = items[0];
            if (item.Status == OperationStatus.Pending && item.ClaimedUntil is { } until && until > time.GetUtcNow())
            {
                // Sent by a runner that stopped (its claim has not lapsed yet), or deferred after AWS throttled.
                await Task.Delay(Min(until - time.GetUtcNow(), TimeSpan.FromSeconds(5)), time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (lastSent is { } last)
            {
                // Timers count in whole milliseconds on their own clock and may fire a little before the wall clock
                // agrees; the rate is measured on the wall clock (the items' start times), so wait until it agrees.
                while (last + interval - time.GetUtcNow() is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait + TimeSpan.FromMilliseconds(1), time, cancellationToken).ConfigureAwait(false);
                }
            }

            if (!await ledger.TryClaimAsync(item.Id, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            lastSent = time.GetUtcNow();
            await SendItemAsync((await ledger.GetAsync(item.Id, cancellationToken).ConfigureAwait(false))!, parameters, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewWhileRunningAsync(long bulkId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.ClaimFor / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await ledger.RenewClaimAsync(bulkId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    /// <summary>Checks the execution first: one that cannot be redriven (or stopped) now fails its item with AWS's reason, unsent.</summary>
    private async Task SendItemAsync(OperationRecord item, BulkParameters bulk, CancellationToken cancellationToken)
    {
        var arn = item.TargetArn!;
        try
        {
            if (item.Kind == OperationKind.Redrive && item.Parameters is null)
            {
                var described = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = arn }, cancellationToken).ConfigureAwait(false);
                if (described.RedriveStatus != ExecutionRedriveStatus.REDRIVABLE)
                {
                    await ledger.CompleteAsync(item.Id, new OperationCompletion(OperationStatus.Failed, ErrorCode: "NotRedrivable", ErrorMessage: described.RedriveStatusReason ?? described.Status, AwsRequestId: described.ResponseMetadata.RequestId), CancellationToken.None).ConfigureAwait(false);
                    return;
                }

                if (await FailStateCheck.EndedInAsync(stepFunctions, arn, cancellationToken).ConfigureAwait(false) is { } failState)
                {
                    await ledger.CompleteAsync(item.Id, new OperationCompletion(OperationStatus.Failed, ErrorCode: "EndedInFailState", ErrorMessage: FailStateCheck.Message(described.Name!, failState)), CancellationToken.None).ConfigureAwait(false);
                    return;
                }

                item.Parameters = OperationJson.Write(new RedriveParameters(arn, described.RedriveCount ?? 0));
                await SetParametersAsync(item, cancellationToken).ConfigureAwait(false);
            }
            else if (item.Kind == OperationKind.Stop && item.Parameters is null)
            {
                item.Parameters = OperationJson.Write(new StopParameters(arn, bulk.Error, bulk.Cause));
                await SetParametersAsync(item, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (OperationExecutor.IsTransient(e, cancellationToken))
        {
            await ledger.DeferAsync(item.Id, $"Could not read the execution from AWS ({e.Message}); trying again.", time.GetUtcNow() + TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            return;
        }
        catch (ExecutionDoesNotExistException e)
        {
            await ledger.CompleteAsync(item.Id, new OperationCompletion(OperationStatus.Failed, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage, AwsRequestId: e.RequestId), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await executor.SendAsync(item, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The redrive count (or stop's error and cause) an item is sent with, kept so a resend after a restart sends the same.</summary>
    private async Task SetParametersAsync(OperationRecord item, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Operations.Where(o => o.Id == item.Id && o.Status == OperationStatus.Pending && o.Parameters == null)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Parameters, item.Parameters), cancellationToken).ConfigureAwait(false);
    }

    private async Task<DateTimeOffset?> LastSentAsync(long bulkId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Operations.AsNoTracking().Where(o => o.ParentId == bulkId && o.StartedAt != null).MaxAsync(o => o.StartedAt, cancellationToken).ConfigureAwait(false);
    }

    private async Task FinishAsync(long bulkId, OperationStatus status, string? note, CancellationToken cancellationToken)
    {
        var counts = await ledger.ItemCountsAsync(bulkId, cancellationToken).ConfigureAwait(false);
        var summary = string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key.ToString().ToLowerInvariant()}"));
        var failed = counts.GetValueOrDefault(OperationStatus.Failed);
        await ledger.CompleteAsync(bulkId, new OperationCompletion(status, Result: note is null ? summary : $"{summary} ({note})",
            ErrorCode: failed > 0 ? "SomeItemsFailed" : null, ErrorMessage: failed > 0 ? $"{failed} of {counts.Values.Sum()} failed; see the items." : null), CancellationToken.None).ConfigureAwait(false);
        LogFinished(bulkId, status, summary);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Bulk operation {Id} ({Kind}): {Count} executions at {Rate}/s")]
    private partial void LogStarted(long id, OperationKind kind, int count, double rate);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Bulk operation {Id} ended {Status}: {Summary}")]
    private partial void LogFinished(long id, OperationStatus status, string summary);
}
