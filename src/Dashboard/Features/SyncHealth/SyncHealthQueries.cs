using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.SyncHealth;

/// <summary>One thing the sync reads from AWS (a workflow's executions, a cluster's stopped tasks, the state machine list) and how that went.</summary>
/// <param name="Job">What is read: executions, stopped-tasks, state-machines, schedules, redrive-sweep.</param>
/// <param name="Resource">The workflow or cluster name, when the job reads one; null for account-wide jobs.</param>
/// <param name="Lag">Time since the last read without error (the same figure as the batchops.sync.lag metric); null if none yet.</param>
/// <param name="BackfillPages">While a first sync (backfill) of a workflow's executions goes on, the ListExecutions pages it has read; null otherwise.</param>
public sealed record SyncSourceRow(string Key, string Job, string? Resource, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastAttemptAt, TimeSpan? Lag, int ConsecutiveFailures, string? LastError, int? BackfillPages = null);

/// <summary>A pass of one sync job on one instance.</summary>
public sealed record SyncRunRow(string Job, string Instance, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Error);

/// <summary>An execution whose history the sync could not fetch: retried after <paramref name="RetryAt"/>, or poisoned (no longer fetched).</summary>
public sealed record UnreadHistoryRow(string ExecutionArn, string Name, string Workflow, int Failures, bool Poisoned, DateTimeOffset? RetryAt, string? Error);

/// <param name="UnreadHistories">The executions whose history fetch is failing (most failures first, at most <see cref="SyncHealthQueries.UnreadShown"/>), and how many there are.</param>
public sealed record SyncHealthView(IReadOnlyList<SyncSourceRow> Sources, IReadOnlyList<SyncRunRow> RecentFailures, int RunsLastHour, int FailedRunsLastHour, IReadOnlyList<UnreadHistoryRow> UnreadHistories, int UnreadHistoryCount);

/// <summary>The sync-health page's read-model query: every sync cursor, failing ones first, and the last hour's runs.</summary>
public sealed class SyncHealthQueries(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time, Microsoft.Extensions.Options.IOptions<Sync.SyncOptions> options)
{
    public const int UnreadShown = 50;

    public async Task<SyncHealthView> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var cursors = await db.SyncCursors.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var sources = cursors
            .Select(c =>
            {
                var colon = c.Key.IndexOf(':', StringComparison.Ordinal);
                var job = colon < 0 ? c.Key : c.Key[..colon];
                var resource = colon < 0 ? null : c.Key[(c.Key.LastIndexOf(':') + 1)..].Split('/')[^1];
                return new SyncSourceRow(c.Key, job, resource, c.LastSuccessAt, c.LastAttemptAt, now - c.LastSuccessAt, c.ConsecutiveFailures, c.LastError, c.BackfillToken is null ? null : c.BackfillPages);
            })
            .OrderByDescending(s => s.ConsecutiveFailures > 0)
            .ThenBy(s => s.Job, StringComparer.Ordinal)
            .ThenBy(s => s.Resource, StringComparer.Ordinal)
            .ToList();

        var hourAgo = now.AddHours(-1);
        var runs = await db.SyncRuns.AsNoTracking().Where(r => r.StartedAt >= hourAgo)
            .Select(r => new SyncRunRow(r.Job, r.Instance, r.StartedAt, r.EndedAt, r.Error))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var failures = runs.Where(r => r.Error is not null).OrderByDescending(r => r.StartedAt).Take(20).ToList();
        var poisonAfter = options.Value.PoisonAfter;
        var failing = db.Executions.AsNoTracking().Where(e => e.HistoryFailures > 0);
        var unread = await failing.OrderByDescending(e => e.HistoryFailures).ThenBy(e => e.Arn).Take(UnreadShown)
            .Select(e => new UnreadHistoryRow(e.Arn, e.Name, e.StateMachineName, e.HistoryFailures, e.HistoryFailures >= poisonAfter, e.HistoryRetryAt, e.HistoryError))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var unreadCount = await failing.CountAsync(cancellationToken).ConfigureAwait(false);
        return new SyncHealthView(sources, failures, runs.Count, runs.Count(r => r.Error is not null), unread, unreadCount);
    }
}
