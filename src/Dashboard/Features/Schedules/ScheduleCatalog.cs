using BatchOps.Aws.Scheduler;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>
/// Reads schedules from EventBridge Scheduler into the read model: every schedule of the groups the dashboard shows
/// (a full pass each sync; schedules are few), and one schedule at once after the dashboard changed it.
/// </summary>
public sealed partial class ScheduleCatalog(
    IAmazonScheduler scheduler,
    IDbContextFactory<ReadModelDbContext> contexts,
    ReadModelChanges changes,
    TimeProvider time,
    IOptions<ScheduleOptions> options,
    ILogger<ScheduleCatalog> logger)
{
    public const string CursorKey = "schedules";

    private ScheduleOptions Options => options.Value;

    /// <summary>Lists the groups, their schedules and each schedule's definition; removes what AWS no longer has.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var groups = new List<string>();
        string? token = null;
        do
        {
            var page = await scheduler.ListScheduleGroupsAsync(new ListScheduleGroupsRequest { NextToken = token }, cancellationToken).ConfigureAwait(false);
            groups.AddRange((page.ScheduleGroups ?? []).Select(g => g.Name!).Where(Options.Shows));
            token = page.NextToken;
        }
        while (token is not null);

        var seen = new List<GetScheduleResponse>();
        foreach (var group in groups)
        {
            seen.AddRange(await ReadAllAsync(group, cancellationToken).ConfigureAwait(false));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stored = await db.Schedules.ToDictionaryAsync(s => (s.GroupName, s.Name), cancellationToken).ConfigureAwait(false);
        var changed = false;
        foreach (var schedule in seen)
        {
            changed |= Upsert(db, stored.GetValueOrDefault((schedule.GroupName!, schedule.Name!)), schedule);
        }

        var current = seen.Select(s => (s.GroupName!, s.Name!)).ToHashSet();
        foreach (var gone in stored.Where(s => groups.Contains(s.Key.GroupName) && !current.Contains(s.Key)).Select(s => s.Value))
        {
            db.Schedules.Remove(gone);
            changed = true;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            changes.Publish(ReadModelChangeKind.Schedules);
        }

        LogSynced(seen.Count, groups.Count);
    }

    /// <summary>Reads one schedule again (after a change from the dashboard); null when AWS no longer has it.</summary>
    public async Task<ScheduleDefinition?> RefreshAsync(string group, string name, CancellationToken cancellationToken)
    {
        var schedule = await ReadAsync(group, name, cancellationToken).ConfigureAwait(false);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stored = await db.Schedules.FirstOrDefaultAsync(s => s.GroupName == group && s.Name == name, cancellationToken).ConfigureAwait(false);
        if (schedule is null)
        {
            if (stored is not null)
            {
                db.Schedules.Remove(stored);
            }
        }
        else
        {
            Upsert(db, stored, schedule);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        changes.Publish(ReadModelChangeKind.Schedules);
        return schedule is null ? null : ScheduleDefinition.From(schedule);
    }

    /// <summary>Every schedule of a group (or of every group shown) as AWS has it now.</summary>
    public async Task<List<ScheduleDefinition>> ListAsync(string? group, CancellationToken cancellationToken) =>
        [.. (await ReadAllAsync(group, cancellationToken).ConfigureAwait(false)).Select(ScheduleDefinition.From)];

    /// <summary>The definition as AWS has it now (for an edit's concurrency check and a restore's "before").</summary>
    public async Task<ScheduleDefinition?> GetAsync(string group, string name, CancellationToken cancellationToken) =>
        await ReadAsync(group, name, cancellationToken).ConfigureAwait(false) is { } schedule ? ScheduleDefinition.From(schedule) : null;

    /// <summary>ListSchedules, then GetSchedule for every field (the list has only a summary).</summary>
    private async Task<List<GetScheduleResponse>> ReadAllAsync(string? group, CancellationToken cancellationToken)
    {
        var all = new List<GetScheduleResponse>();
        string? token = null;
        do
        {
            var page = await scheduler.ListSchedulesAsync(new ListSchedulesRequest { GroupName = group, NextToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var summary in (page.Schedules ?? []).Where(s => Options.Shows(s.GroupName!)))
            {
                if (await ReadAsync(summary.GroupName!, summary.Name!, cancellationToken).ConfigureAwait(false) is { } schedule)
                {
                    all.Add(schedule);
                }
            }

            token = page.NextToken;
        }
        while (token is not null);
        return all;
    }

    /// <summary>GetSchedule; null when it was deleted (between a list and the read, or by someone else).</summary>
    private async Task<GetScheduleResponse?> ReadAsync(string group, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await scheduler.GetScheduleAsync(new GetScheduleRequest { GroupName = group, Name = name }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private bool Upsert(ReadModelDbContext db, ScheduleRecord? record, GetScheduleResponse s)
    {
        var definition = ScheduleDefinition.From(s).ToJson();
        if (record is not null && record.Definition == definition)
        {
            record.SyncedAt = time.GetUtcNow();
            return false;
        }

        if (record is null)
        {
            record = new ScheduleRecord
            {
                GroupName = s.GroupName!, Name = s.Name!, Arn = s.Arn!, State = "", Expression = "", Timezone = "", TargetArn = "", Definition = "",
            };
            db.Schedules.Add(record);
        }

        record.Arn = s.Arn!;
        record.State = s.State ?? ScheduleState.ENABLED;
        record.Expression = s.ScheduleExpression!;
        record.Timezone = s.ScheduleExpressionTimezone ?? "UTC";
        record.TargetArn = s.Target?.Arn ?? "";
        record.Workflow = ScheduleActions.WorkflowOf(record.TargetArn);
        record.Description = s.Description;
        record.CreationDate = s.CreationDate;
        record.LastModificationDate = s.LastModificationDate;
        record.Managed = Options.IsManaged(record.GroupName);
        record.Definition = definition;
        record.SyncedAt = time.GetUtcNow();
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read {Count} schedules in {Groups} groups")]
    private partial void LogSynced(int count, int groups);
}
