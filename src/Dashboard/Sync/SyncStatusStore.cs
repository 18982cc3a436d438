using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Sync;

/// <summary>Whether the read model is current: the time of the last good sync and the last error, per source.</summary>
public sealed record SyncHealth(bool IsStale, DateTimeOffset? LastGoodSync, string? LastError, DateTimeOffset? FailingSince);

/// <summary>Whether what the pages show is current (the seam component tests fake).</summary>
public interface ISyncHealth
{
    Task<SyncHealth> GetHealthAsync(CancellationToken cancellationToken);
}

/// <summary>Records each job's success or failure in its cursor row, and answers "is what the page shows stale?".</summary>
public sealed class SyncStatusStore(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time, IOptions<SyncOptions> options, ReadModelChanges changes) : ISyncHealth
{
    /// <summary>Runs kept per job: enough to see what each instance did lately, never a growing table.</summary>
    public const int RunsKept = 200;

    /// <summary>This dashboard instance, as the sync runs name it.</summary>
    public static string Instance { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task<long> RunStartedAsync(string job, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = new SyncRunRecord { Job = job, Instance = Instance, StartedAt = time.GetUtcNow() };
        db.SyncRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return run.Id;
    }

    public async Task RunEndedAsync(long runId, string? error, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.SyncRuns.FindAsync([runId], cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return;
        }

        run.EndedAt = time.GetUtcNow();
        run.Error = StoredHistory.Cut(error, 500);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        // Forget this job's runs older than the ones kept.
        var oldestDropped = await db.SyncRuns.Where(r => r.Job == run.Job).OrderByDescending(r => r.Id).Skip(RunsKept).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (oldestDropped is { } cutoff)
        {
            await db.SyncRuns.Where(r => r.Job == run.Job && r.Id <= cutoff).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RecordSuccessAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var cursor = await GetOrAddAsync(db, key, cancellationToken).ConfigureAwait(false);
        var wasFailing = cursor.ConsecutiveFailures > 0;
        cursor.LastAttemptAt = cursor.LastSuccessAt = time.GetUtcNow();
        cursor.LastError = null;
        cursor.ConsecutiveFailures = 0;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (wasFailing)
        {
            changes.Publish(ReadModelChangeKind.SyncStatus);
        }
    }

    public async Task RecordFailureAsync(string key, Exception error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var cursor = await GetOrAddAsync(db, key, cancellationToken).ConfigureAwait(false);
        cursor.LastAttemptAt = time.GetUtcNow();
        cursor.LastError = StoredHistory.Cut(Describe(error), 500);
        cursor.ConsecutiveFailures++;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.SyncStatus);
    }

    public async Task<SyncHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var cursors = await db.SyncCursors.AsNoTracking().Where(c => c.LastAttemptAt != null).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (cursors.Count == 0)
        {
            return new SyncHealth(false, null, null, null);
        }

        var now = time.GetUtcNow();
        var failing = cursors.Where(c => c.ConsecutiveFailures > 0).ToList();
        var lastGood = cursors.Min(c => c.LastSuccessAt);
        var tooOld = cursors.Any(c => c.LastSuccessAt is null || now - c.LastSuccessAt > options.Value.StaleAfter);
        var stale = failing.Count > 0 || (tooOld && cursors.Any(c => c.LastSuccessAt is not null));
        return new SyncHealth(
            stale,
            lastGood,
            failing.OrderByDescending(c => c.LastAttemptAt).Select(c => c.LastError).FirstOrDefault(),
            failing.Count > 0 ? failing.Min(c => c.LastSuccessAt ?? c.LastAttemptAt) : null);
    }

    private static async Task<SyncCursorRecord> GetOrAddAsync(ReadModelDbContext db, string key, CancellationToken cancellationToken)
    {
        var cursor = await db.SyncCursors.FindAsync([key], cancellationToken).ConfigureAwait(false);
        if (cursor is null)
        {
            cursor = new SyncCursorRecord { Key = key };
            db.SyncCursors.Add(cursor);
        }

        return cursor;
    }

    /// <summary>The message an operator can act on: the innermost cause (connection refused, throttled...).</summary>
    private static string Describe(Exception error)
    {
        var inner = error;
        while (inner.InnerException is not null && inner is not Aws.Runtime.AwsServiceException)
        {
            inner = inner.InnerException;
        }

        return inner == error ? error.Message : $"{error.Message} ({inner.Message})";
    }
}
