using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Sync;

/// <summary>What one indexing pass did, for logs, tests and the sync budget check (every ListExecutions call counts).</summary>
public sealed record IndexPass(int StateMachines, int ListExecutionsCalls, int NewExecutions, int ChangedExecutions);

/// <summary>
/// Keeps the executions table in step with ListExecutions, per state machine: new executions newest-first until
/// known ground (the newest start date already stored), then running (and redriven) ones refreshed. An execution
/// whose status or redrive count changed is flagged for the history job.
/// </summary>
public sealed partial class ExecutionIndexer(
    IAmazonStepFunctions stepFunctions,
    SecretRedactor redactor,
    IDbContextFactory<ReadModelDbContext> contexts,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ReadModelChanges changes,
    ILogger<ExecutionIndexer> logger)
{
    public const string StateMachinesKey = "state-machines";

    private const string ExecutionsPrefix = "executions:";

    public static string CursorKey(string stateMachineArn) => ExecutionsPrefix + stateMachineArn;

    public async Task<IndexPass> RunAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var machines = await SyncStateMachinesAsync(failures, cancellationToken).ConfigureAwait(false);
        var calls = 0;
        var added = 0;
        var changed = 0;
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var backingOff = await BackingOffAsync(cancellationToken).ConfigureAwait(false);
        foreach (var machine in machines)
        {
            if (backingOff.Contains(CursorKey(machine.Arn)))
            {
                // Failing: tried again after its backoff, without holding up the others meanwhile.
                continue;
            }

            try
            {
                var pass = await SyncExecutionsAsync(machine, cancellationToken).ConfigureAwait(false);
                calls += pass.ListExecutionsCalls;
                added += pass.NewExecutions;
                changed += pass.ChangedExecutions;
                if (pass.NewExecutions + pass.ChangedExecutions > 0)
                {
                    touched.Add(machine.Name);
                }
            }
            catch (Exception e) when (e is AwsServiceException or RepeatedPageTokenException && !cancellationToken.IsCancellationRequested)
            {
                await RecordMachineFailureAsync(machine, e, cancellationToken).ConfigureAwait(false);
                // One state machine this role may not read (AccessDenied, KMS) or that AWS keeps refusing must not
                // keep the others from being indexed: go on, and report it once the pass is done.
                failures.Add($"list the executions of {machine.Name}: {Describe(e)}");
            }
        }

        if (added + changed > 0)
        {
            // One notice per pass, however many executions arrived, naming the workflows they belong to.
            changes.Publish(ReadModelChangeKind.Executions, touched);
        }

        return failures.Count > 0
            ? throw new SyncPartlyFailedException($"Indexed {machines.Count - failures.Count(f => !f.StartsWith(ListingFailure, StringComparison.Ordinal))} of {machines.Count} state machines; could not {string.Join("; ", failures)}")
            : new IndexPass(machines.Count, calls, added, changed);
    }

    /// <summary>
    /// Redrives of older executions do not appear as new executions: list each state machine's newest redriven page
    /// and take in what changed (the redrive sweep job, on its own slower interval). Returns how many rows changed.
    /// </summary>
    public async Task<int> SweepRedrivesAsync(CancellationToken cancellationToken)
    {
        // The state machines the indexer reads (it lists them; two jobs listing at once would race to insert the same rows).
        List<StateMachineRecord> machines;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var indexed = await db.SyncCursors.AsNoTracking().Where(c => c.Key.StartsWith(ExecutionsPrefix)).Select(c => c.Key).ToListAsync(cancellationToken).ConfigureAwait(false);
            var arns = indexed.Select(k => k[ExecutionsPrefix.Length..]).ToList();
            machines = await db.StateMachines.AsNoTracking().Where(m => arns.Contains(m.Arn)).OrderBy(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var changed = 0;
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var machine in machines)
        {
            var redriven = await stepFunctions.ListExecutionsAsync(new ListExecutionsRequest { StateMachineArn = machine.Arn, RedriveFilter = ExecutionRedriveFilter.REDRIVEN, MaxResults = options.Value.PageSize }, cancellationToken).ConfigureAwait(false);
            var (a, c) = await UpsertAsync(machine, redriven.Executions, cancellationToken).ConfigureAwait(false);
            changed += a + c;
            if (a + c > 0)
            {
                touched.Add(machine.Name);
            }
        }

        if (changed > 0)
        {
            changes.Publish(ReadModelChangeKind.Executions, touched);
        }

        return changed;
    }

    private const string ListingFailure = "list the state machines";

    /// <summary>
    /// The state machines to index: the configured ones (Sync:StateMachineArns) or every one listed. When listing is
    /// refused (AccessDenied) or fails, the configured ones are still indexed and the failure is added to <paramref name="failures"/>.
    /// </summary>
    public async Task<IReadOnlyList<StateMachineRecord>> SyncStateMachinesAsync(List<string> failures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var configured = options.Value.StateMachineArns.ToHashSet(StringComparer.Ordinal);
        var listed = new List<StateMachineListItem>();
        var listingFailed = false;
        try
        {
            await foreach (var item in stepFunctions.ListStateMachinesItemsAsync(new ListStateMachinesRequest(), cancellationToken).ConfigureAwait(false))
            {
                if (configured.Count == 0 || configured.Contains(item.StateMachineArn))
                {
                    listed.Add(item);
                }
            }
        }
        catch (AwsServiceException e) when (configured.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            // The configured workflows are known without the listing: go on with them and report the refusal.
            failures.Add($"{ListingFailure}: {e.ErrorCode}: {e.ErrorMessage}");
            listingFailed = true;
            listed.Clear();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var known = await db.StateMachines.ToDictionaryAsync(m => m.Arn, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var item in listed)
        {
            if (!known.TryGetValue(item.StateMachineArn, out var record))
            {
                record = new StateMachineRecord { Arn = item.StateMachineArn, Name = item.Name, Type = item.Type };
                db.StateMachines.Add(record);
                known[record.Arn] = record;
            }

            record.Name = item.Name;
            record.Type = item.Type;
            record.CreatedAt = item.CreationDate.ToUniversalTime();
            record.SeenAt = now;
        }

        if (listingFailed)
        {
            foreach (var arn in configured.Where(a => !known.ContainsKey(a)))
            {
                // Never listed yet: its name is the ARN's last part; only standard workflows are configured.
                var record = new StateMachineRecord { Arn = arn, Name = arn[(arn.LastIndexOf(':') + 1)..], Type = StateMachineType.STANDARD, SeenAt = now };
                db.StateMachines.Add(record);
                known[arn] = record;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return [.. known.Values.Where(m => configured.Contains(m.Arn) && m.Type == StateMachineType.STANDARD).OrderBy(m => m.Name, StringComparer.Ordinal)];
        }

        // A state machine AWS no longer lists (deleted) is not read any more: its cursor goes too, or its last read would
        // age into a stale-data notice that never clears. Its executions and its row stay, as history.
        var listedKeys = listed.Select(l => CursorKey(l.StateMachineArn)).ToHashSet(StringComparer.Ordinal);
        var retired = (await db.SyncCursors.Where(c => c.Key.StartsWith(ExecutionsPrefix)).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Where(c => !listedKeys.Contains(c.Key)).ToList();
        db.SyncCursors.RemoveRange(retired);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (retired.Count > 0)
        {
            // Its executions still shown as running would stay so for ever: the history job describes each once,
            // taking what AWS says, or closing the row when AWS no longer knows the execution.
            var gone = retired.Select(c => c.Key[ExecutionsPrefix.Length..]).ToList();
            await db.Executions.Where(e => gone.Contains(e.StateMachineArn) && e.Status == ExecutionStatus.RUNNING)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.NeedsHistory, true), cancellationToken).ConfigureAwait(false);
        }

        if (retired.Count > 0)
        {
            changes.Publish(ReadModelChangeKind.SyncStatus);
        }

        // Express workflows have no ListExecutions history to index.
        return [.. known.Values.Where(m => m.Type == StateMachineType.STANDARD && listed.Any(l => l.StateMachineArn == m.Arn)).OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    public async Task<IndexPass> SyncExecutionsAsync(StateMachineRecord machine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var key = CursorKey(machine.Arn);
        DateTimeOffset? knownGround;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            knownGround = (await db.SyncCursors.AsNoTracking().FirstOrDefaultAsync(c => c.Key == key, cancellationToken).ConfigureAwait(false))?.NewestStartDate;
        }

        if (knownGround is null)
        {
            return await BackfillAsync(machine, cancellationToken).ConfigureAwait(false);
        }

        var calls = 0;
        var added = 0;
        var changed = 0;
        DateTimeOffset? newest = knownGround;
        string? newestArn = null;

        // 1. New executions, newest first, until a page reaches what we already have.
        var scanned = new List<ExecutionListItem>();
        string? token = null;
        do
        {
            var page = await stepFunctions.ListExecutionsAsync(new ListExecutionsRequest { StateMachineArn = machine.Arn, MaxResults = options.Value.PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
            calls++;
            scanned.AddRange(page.Executions);
            var (a, c) = await UpsertAsync(machine, page.Executions, cancellationToken).ConfigureAwait(false);
            added += a;
            changed += c;
            foreach (var e in page.Executions)
            {
                if (newest is null || e.StartDate > newest)
                {
                    newest = e.StartDate.ToUniversalTime();
                    newestArn = e.ExecutionArn;
                }
            }

            token = page.NextToken;
            if (knownGround is { } ground && page.Executions.Any(e => e.StartDate <= ground))
            {
                break;
            }
        }
        while (token is not null);

        // 2. Executions we hold as running but the scan did not reach (started before known ground): ask which still
        //    are, in one filtered listing, and describe the ones that stopped. Skipped when there are none.
        var running = new HashSet<string>(scanned.Where(e => e.Status == ExecutionStatus.RUNNING).Select(e => e.ExecutionArn), StringComparer.Ordinal);
        var seen = new HashSet<string>(scanned.Select(e => e.ExecutionArn), StringComparer.Ordinal);
        if (await HasUnscannedRunningAsync(machine, seen, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var page in stepFunctions.ListExecutionsPagesAsync(new ListExecutionsRequest { StateMachineArn = machine.Arn, StatusFilter = ExecutionStatus.RUNNING, MaxResults = options.Value.PageSize }, cancellationToken).ConfigureAwait(false))
            {
                calls++;
                running.UnionWith(page.Executions.Select(e => e.ExecutionArn));
                seen.UnionWith(page.Executions.Select(e => e.ExecutionArn));
                var (a, c) = await UpsertAsync(machine, page.Executions, cancellationToken).ConfigureAwait(false);
                added += a;
                changed += c;
            }
        }

        changed += await RefreshStoppedAsync(machine, running, seen, cancellationToken).ConfigureAwait(false);
        await FlagAgedRunningHistoriesAsync(machine, cancellationToken).ConfigureAwait(false);

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var cursor = await db.SyncCursors.FindAsync([key], cancellationToken).ConfigureAwait(false);
            if (cursor is null)
            {
                cursor = new SyncCursorRecord { Key = key };
                db.SyncCursors.Add(cursor);
            }

            cursor.NewestStartDate = newest;
            cursor.NewestArn = newestArn ?? cursor.NewestArn;
            cursor.LastAttemptAt = cursor.LastSuccessAt = time.GetUtcNow();
            cursor.LastError = null;
            cursor.ConsecutiveFailures = 0;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        if (added + changed > 0)
        {
            LogIndexed(machine.Name, added, changed, calls);
        }

        return new IndexPass(1, calls, added, changed);
    }

    /// <summary>
    /// The first sync of a state machine, newest first back to <see cref="SyncOptions.BackfillWindow"/>: at most
    /// <see cref="SyncOptions.BackfillPagesPerPass"/> pages a pass, the position (AWS's NextToken) saved after every page
    /// so a restart or a failure goes on where it stopped, one page in memory at a time. When it reaches the window's
    /// start or the end of the listing, the newest execution it began with becomes known ground and the passes after
    /// it list only what is new.
    /// </summary>
    private async Task<IndexPass> BackfillAsync(StateMachineRecord machine, CancellationToken cancellationToken)
    {
        var key = CursorKey(machine.Arn);
        var floor = time.GetUtcNow() - options.Value.BackfillWindow;
        SyncCursorRecord? saved;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            saved = await db.SyncCursors.AsNoTracking().FirstOrDefaultAsync(c => c.Key == key, cancellationToken).ConfigureAwait(false);
        }

        var (token, top, topArn) = (saved?.BackfillToken, saved?.BackfillTop, saved?.BackfillTopArn);
        var (calls, added, changed) = (0, 0, 0);
        for (var pages = 0; pages < options.Value.BackfillPagesPerPass; pages++)
        {
            ListExecutionsResponse page;
            try
            {
                page = await stepFunctions.ListExecutionsAsync(new ListExecutionsRequest { StateMachineArn = machine.Arn, MaxResults = options.Value.PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidTokenException) when (token is not null)
            {
                // A saved position AWS no longer takes (its tokens last a day): start again from the newest; what was
                // indexed stays, and the pages read again only update it.
                LogBackfillRestarted(machine.Name);
                (token, top, topArn) = (null, null, null);
                continue;
            }

            calls++;
            if (top is null && page.Executions.Count > 0)
            {
                (top, topArn) = (page.Executions[0].StartDate.ToUniversalTime(), page.Executions[0].ExecutionArn);
            }

            var inWindow = page.Executions.Where(e => e.StartDate >= floor).ToList();
            var (a, c) = await UpsertAsync(machine, inWindow, cancellationToken).ConfigureAwait(false);
            added += a;
            changed += c;
            if (page.NextToken is not null && page.NextToken == token)
            {
                // The same page again would loop for ever: stop here (recorded against this state machine) and keep the position.
                throw new RepeatedPageTokenException($"ListExecutions of {machine.Name} returned the page token it was given: the backfill stopped at {saved?.BackfillPages + pages + 1} pages and goes on next pass.");
            }

            var done = page.NextToken is null || inWindow.Count < page.Executions.Count;
            token = done ? null : page.NextToken;
            await SaveBackfillAsync(key, token, top, topArn, done, cancellationToken).ConfigureAwait(false);
            if (done)
            {
                LogBackfilled(machine.Name, (saved?.BackfillPages ?? 0) + pages + 1);
                break;
            }
        }

        if (added + changed > 0)
        {
            LogIndexed(machine.Name, added, changed, calls);
        }

        return new IndexPass(1, calls, added, changed);
    }

    private async Task SaveBackfillAsync(string key, string? token, DateTimeOffset? top, string? topArn, bool done, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var cursor = await db.SyncCursors.FindAsync([key], cancellationToken).ConfigureAwait(false);
        if (cursor is null)
        {
            cursor = new SyncCursorRecord { Key = key };
            db.SyncCursors.Add(cursor);
        }

        cursor.BackfillPages++;
        cursor.BackfillToken = token;
        cursor.BackfillTop = done ? null : top;
        cursor.BackfillTopArn = done ? null : topArn;
        if (done)
        {
            cursor.NewestStartDate = top;
            cursor.NewestArn = topArn;
        }

        // Every page read is progress: a long backfill is not stale data.
        cursor.LastAttemptAt = cursor.LastSuccessAt = time.GetUtcNow();
        cursor.LastError = null;
        cursor.ConsecutiveFailures = 0;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts new executions and updates changed ones; returns (added, changed).</summary>
    private async Task<(int Added, int Changed)> UpsertAsync(StateMachineRecord machine, List<ExecutionListItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return (0, 0);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var arns = items.Select(i => i.ExecutionArn).ToList();
        var existing = await db.Executions.Where(e => arns.Contains(e.Arn)).ToDictionaryAsync(e => e.Arn, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var added = 0;
        var changed = 0;
        foreach (var item in items)
        {
            if (!existing.TryGetValue(item.ExecutionArn, out var record))
            {
                record = new ExecutionRecord
                {
                    Arn = item.ExecutionArn,
                    StateMachineArn = machine.Arn,
                    StateMachineName = machine.Name,
                    Name = item.Name,
                    Status = item.Status,
                    NeedsHistory = true,
                    UpdatedAt = now,
                };
                db.Executions.Add(record);
                existing[record.Arn] = record;
                added++;
            }
            else if (record.Status != item.Status || record.RedriveCount != (item.RedriveCount ?? 0))
            {
                record.NeedsHistory = true;
                record.UpdatedAt = now;
                // A changed execution is worth another try, poisoned or not.
                record.HistoryFailures = 0;
                record.HistoryRetryAt = null;
                changed++;
            }
            else
            {
                continue;
            }

            record.Status = item.Status;
            record.StartDate = item.StartDate.ToUniversalTime();
            record.StopDate = item.StopDate?.ToUniversalTime();
            record.RedriveCount = item.RedriveCount ?? 0;
            record.RedriveDate = item.RedriveDate?.ToUniversalTime();
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (added, changed);
    }

    private async Task<bool> HasUnscannedRunningAsync(StateMachineRecord machine, HashSet<string> seen, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var running = await db.Executions.AsNoTracking().Where(e => e.StateMachineArn == machine.Arn && e.Status == ExecutionStatus.RUNNING).Select(e => e.Arn).ToListAsync(cancellationToken).ConfigureAwait(false);
        return running.Any(arn => !seen.Contains(arn));
    }

    /// <summary>Running rows that no listing this pass reported as running have stopped (or were redriven and stopped): describe them.</summary>
    private async Task<int> RefreshStoppedAsync(StateMachineRecord machine, HashSet<string> running, HashSet<string> seen, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stale = await db.Executions.Where(e => e.StateMachineArn == machine.Arn && e.Status == ExecutionStatus.RUNNING).ToListAsync(cancellationToken).ConfigureAwait(false);
        var changed = 0;
        foreach (var record in stale.Where(r => !running.Contains(r.Arn) && !seen.Contains(r.Arn)))
        {
            try
            {
                var described = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = record.Arn }, cancellationToken).ConfigureAwait(false);
                ExecutionMapping.Apply(record, described, redactor);
            }
            catch (ExecutionDoesNotExistException)
            {
                // Past the 90-day retention: keep what we knew, stop asking.
                record.Status = HistorySynchronizer.ExpiredStatus;
            }

            record.NeedsHistory = true;
            record.UpdatedAt = time.GetUtcNow();
            changed++;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }

    /// <summary>Running executions gain attempts without changing status: fetch their history again when it has aged.</summary>
    private async Task FlagAgedRunningHistoriesAsync(StateMachineRecord machine, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - options.Value.RunningHistoryRefresh;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var aged = await db.Executions
            .Where(e => e.StateMachineArn == machine.Arn && e.Status == ExecutionStatus.RUNNING && !e.NeedsHistory)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var record in aged.Where(r => r.HistoryFetchedAt is null || r.HistoryFetchedAt < before))
        {
            record.NeedsHistory = true;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The executions cursors whose last read failed less than their backoff ago (the interval, doubled per failure, at most 15 minutes).</summary>
    private async Task<HashSet<string>> BackingOffAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var failing = await db.SyncCursors.AsNoTracking().Where(c => c.Key.StartsWith(ExecutionsPrefix) && c.ConsecutiveFailures > 0).ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return failing.Where(c => c.LastAttemptAt is { } at && at + Backoff(c.ConsecutiveFailures) > now).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    private TimeSpan Backoff(int failures)
    {
        var backoff = options.Value.ExecutionsInterval * Math.Pow(2, Math.Min(failures - 1, 10));
        return backoff > MaxMachineBackoff ? MaxMachineBackoff : backoff;
    }

    private static readonly TimeSpan MaxMachineBackoff = TimeSpan.FromMinutes(15);

    private static string Describe(Exception e) => e is AwsServiceException aws ? $"{aws.ErrorCode}: {aws.ErrorMessage}" : e.Message;

    /// <summary>A state machine's failure goes on its own cursor, so /sync shows which one fails and since when.</summary>
    private async Task RecordMachineFailureAsync(StateMachineRecord machine, Exception e, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var key = CursorKey(machine.Arn);
        var cursor = await db.SyncCursors.FindAsync([key], cancellationToken).ConfigureAwait(false);
        if (cursor is null)
        {
            cursor = new SyncCursorRecord { Key = key };
            db.SyncCursors.Add(cursor);
        }

        cursor.LastAttemptAt = time.GetUtcNow();
        cursor.LastError = StoredHistory.Cut(Describe(e), 990);
        cursor.ConsecutiveFailures++;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.SyncStatus);
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Backfill of {StateMachine} reached the window's start or the end of its executions after {Pages} ListExecutions pages")]
    private partial void LogBackfilled(string stateMachine, int pages);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Backfill of {StateMachine}: AWS no longer takes the saved page token; starting again from the newest execution")]
    private partial void LogBackfillRestarted(string stateMachine);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Indexed {StateMachine}: {Added} new, {Changed} changed executions in {Calls} ListExecutions pages")]
    private partial void LogIndexed(string stateMachine, int added, int changed, int calls);
}

/// <summary>AWS handed back the page token it was given: following it would read the same page for ever.</summary>
public sealed class RepeatedPageTokenException(string message) : Exception(message);

/// <summary>A sync pass that did what it could and could not do the rest: recorded as a failure (the data is stale) with what was missed.</summary>
public sealed class SyncPartlyFailedException(string message) : Exception(message);
