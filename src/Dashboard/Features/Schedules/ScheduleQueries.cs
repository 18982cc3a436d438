using System.Text.Json;
using BatchOps.Aws.Scheduler;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>The Schedules list's filter; round-trips through the URL like the other pages' filters.</summary>
public sealed record SchedulesFilter
{
    public string? Group { get; init; }
    public string? State { get; init; }
    public string? Search { get; init; }

    /// <summary>name (the default), next (soonest first) or modified (latest first); <see cref="Descending"/> reverses it.</summary>
    public string Sort { get; init; } = "name";
    public bool Descending { get; init; }

    public static SchedulesFilter Parse(IReadOnlyDictionary<string, string?> query, ICollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var state = Get("state")?.ToUpperInvariant();
        if (state is not (null or ScheduleState.ENABLED or ScheduleState.DISABLED))
        {
            problems?.Add($"State \"{Get("state")}\" is not ENABLED or DISABLED; ignored.");
            state = null;
        }

        var sort = Get("sort")?.ToLowerInvariant() ?? "name";
        if (sort is not ("name" or "next" or "modified"))
        {
            problems?.Add($"Sort \"{Get("sort")}\" is not name, next or modified; sorted by name.");
            sort = "name";
        }

        return new SchedulesFilter { Group = Get("group"), State = state, Search = Get("q") is { Length: <= 64 } q ? q : null, Sort = sort, Descending = Get("dir") == "desc" };
    }

    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (Group is not null) yield return new("group", Group);
        if (State is not null) yield return new("state", State);
        if (Search is not null) yield return new("q", Search);
        if (Sort != "name") yield return new("sort", Sort);
        if (Descending) yield return new("dir", "desc");
    }
}

/// <summary>A schedule as the list shows it: what it runs, when, and its next fire times.</summary>
public sealed record ScheduleRow(
    string GroupName,
    string Name,
    string State,
    string Expression,
    string InWords,
    string Timezone,
    IReadOnlyList<DateTimeOffset> Next,
    string? Workflow,
    string InputSummary,
    DateTimeOffset? LastModified,
    bool Managed,
    string? Problem);

/// <summary>What became of one fire time.</summary>
public enum RunOutcome
{
    /// <summary>An execution of the target started within the flexible window.</summary>
    Ran,

    /// <summary>No execution, and the window (plus grace) is over.</summary>
    Missed,

    /// <summary>The schedule was disabled then: nothing was due.</summary>
    Skipped,

    /// <summary>Still within its window.</summary>
    Due,
}

public sealed record ScheduleRun(DateTimeOffset FireTime, RunOutcome Outcome, string? ExecutionArn, string? ExecutionName, string? Status);

/// <summary>A version of a schedule: what an operation changed it from and to.</summary>
public sealed record ScheduleVersion(long OperationId, OperationKind Kind, string Actor, DateTimeOffset At, OperationStatus Status, ScheduleDefinition? Before, ScheduleDefinition? After);

public sealed record ScheduleDetail(ScheduleRecord Record, ScheduleDefinition Definition, ScheduleRow Row, IReadOnlyList<ScheduleRun> Runs, IReadOnlyList<ScheduleVersion> Versions);

/// <summary>A missed run, for the Overview.</summary>
public sealed record MissedRun(string GroupName, string Name, DateTimeOffset FireTime, string? Workflow);

public sealed class ScheduleQueries(IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time, IOptions<ScheduleOptions> options)
{
    public async Task<IReadOnlyList<ScheduleRow>> ListAsync(SchedulesFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Schedules.AsNoTracking();
        if (filter.Group is { } group)
        {
            query = query.Where(s => s.GroupName == group);
        }

        if (filter.State is { } state)
        {
            query = query.Where(s => s.State == state);
        }

        if (filter.Search is { } search)
        {
            query = query.Where(s => s.Name.Contains(search));
        }

        var records = await query.OrderBy(s => s.GroupName).ThenBy(s => s.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var rows = records.Select(r => Row(r, ScheduleDefinition.FromJson(r.Definition), now));
        rows = filter.Sort switch
        {
            // Soonest first; those that will not run (disabled, ended) last.
            "next" => rows.OrderBy(r => r.Next.Count == 0).ThenBy(r => r.Next.Count == 0 ? DateTimeOffset.MaxValue : r.Next[0]),
            "modified" => rows.OrderByDescending(r => r.LastModified),
            _ => rows.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.GroupName, StringComparer.Ordinal),
        };
        return [.. filter.Descending ? rows.Reverse() : rows];
    }

    public async Task<IReadOnlyList<string>> GroupsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var groups = await db.Schedules.AsNoTracking().Select(s => s.GroupName).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. groups.Append(options.Value.OperatorGroup).Distinct().Order(StringComparer.Ordinal)];
    }

    public async Task<ScheduleDetail?> GetAsync(string group, string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.GroupName == group && s.Name == name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        var definition = ScheduleDefinition.FromJson(record.Definition);
        var now = time.GetUtcNow();
        var versions = await VersionsAsync(db, record, cancellationToken).ConfigureAwait(false);
        var runs = await RunsAsync(db, record, definition, versions, now, cancellationToken).ConfigureAwait(false);
        return new ScheduleDetail(record, definition, Row(record, definition, now), runs, versions);
    }

    /// <summary>Fire times with no execution, across every schedule, in the runs window.</summary>
    public async Task<IReadOnlyList<MissedRun>> MissedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Schedules.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var missed = new List<MissedRun>();
        foreach (var record in records)
        {
            var definition = ScheduleDefinition.FromJson(record.Definition);
            var versions = await VersionsAsync(db, record, cancellationToken).ConfigureAwait(false);
            var runs = await RunsAsync(db, record, definition, versions, now, cancellationToken).ConfigureAwait(false);
            missed.AddRange(runs.Where(r => r.Outcome == RunOutcome.Missed).Select(r => new MissedRun(record.GroupName, record.Name, r.FireTime, record.Workflow)));
        }

        return [.. missed.OrderByDescending(m => m.FireTime)];
    }

    public static ScheduleRow Row(ScheduleRecord record, ScheduleDefinition definition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(definition);
        string words;
        IReadOnlyList<DateTimeOffset> next = [];
        string? problem = null;
        if (ScheduleExpression.TryParse(record.Expression, out var expression, out var error) && TimeZoneInfo.TryFindSystemTimeZoneById(record.Timezone, out var zone))
        {
            words = $"{expression.Describe()}, {record.Timezone}";
            if (record.State == ScheduleState.ENABLED)
            {
                next = [.. expression.Occurrences(now, zone, Origin(expression, definition, record)).Where(o => o.Runs).Select(o => o.At!.Value)
                    .TakeWhile(at => definition.EndDate is null || at <= definition.EndDate).Take(5)];
            }
        }
        else
        {
            words = record.Expression;
            problem = error ?? $"Unknown time zone {record.Timezone}.";
        }

        return new ScheduleRow(record.GroupName, record.Name, record.State, record.Expression, words, record.Timezone, next, record.Workflow, InputSummary(definition.Target.Input),
            record.LastModificationDate, record.Managed, problem);
    }

    /// <summary>"echo nightly · LOG_LEVEL=debug" for the contract's input; the JSON's start otherwise.</summary>
    public static string InputSummary(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return "no input";
        }

        try
        {
            var parsed = JsonSerializer.Deserialize<Contracts.WorkflowInput>(input);
            if (parsed?.Commands is { Count: > 0 } commands)
            {
                var environment = parsed.Environment is { Count: > 0 } e ? " · " + string.Join(" ", e.Select(v => $"{v.Name}={v.Value}")) : "";
                return string.Join(" ", commands) + environment + (parsed.ResumeFrom is { } from ? $" · from {from}" : "");
            }
        }
        catch (JsonException)
        {
        }

        return input.Length > 80 ? input[..80] + "…" : input;
    }

    /// <summary>A rate counts from the StartDate, or from when the schedule was created.</summary>
    public static DateTimeOffset? Origin(ScheduleExpression expression, ScheduleDefinition definition, ScheduleRecord record) =>
        definition.StartDate ?? (expression is RateSchedule ? record.CreationDate : null);

    private static async Task<IReadOnlyList<ScheduleVersion>> VersionsAsync(ReadModelDbContext db, ScheduleRecord record, CancellationToken cancellationToken)
    {
        var arn = $"schedule/{record.GroupName}/{record.Name}";
        var operations = await db.Operations.AsNoTracking().Where(o => o.TargetArn == arn && o.ParentId == null).OrderByDescending(o => o.Id).Take(100).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. operations.Where(o => o.Kind is not OperationKind.RunScheduleNow && o.Status != OperationStatus.Refused).Select(o =>
        {
            var change = o.Parameters is null ? null : OperationJson.Read<ScheduleChange>(o.Parameters);
            return new ScheduleVersion(o.Id, o.Kind, o.Actor, o.CompletedAt ?? o.RequestedAt, o.Status, change?.Before, change?.After);
        })];
    }

    private async Task<IReadOnlyList<ScheduleRun>> RunsAsync(ReadModelDbContext db, ScheduleRecord record, ScheduleDefinition definition, IReadOnlyList<ScheduleVersion> versions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!ScheduleExpression.TryParse(record.Expression, out var expression, out _) || !TimeZoneInfo.TryFindSystemTimeZoneById(record.Timezone, out var zone))
        {
            return [];
        }

        var o = options.Value;
        var from = now - o.RunsWindow;
        if (record.CreationDate is { } created && created > from)
        {
            from = created;
        }

        var fires = expression.Occurrences(from, zone, Origin(expression, definition, record)).Where(x => x.Runs).Select(x => x.At!.Value).TakeWhile(at => at <= now).Take(500).ToList();
        if (fires.Count == 0)
        {
            return [];
        }

        var window = TimeSpan.FromMinutes(definition.FlexibleTimeWindow.MaximumWindowInMinutes ?? 0) + o.RunGrace;
        var until = fires[^1] + window;
        var executions = await db.Executions.AsNoTracking()
            .Where(e => e.StateMachineArn == record.TargetArn && e.StartDate >= fires[0] && e.StartDate <= until)
            .OrderBy(e => e.StartDate).Select(e => new { e.Arn, e.Name, e.Status, e.StartDate }).ToListAsync(cancellationToken).ConfigureAwait(false);
        // Started by hand ("Run now") is not a scheduled run.
        var candidates = executions.Where(e => !e.Name.StartsWith(record.Name + "-run-", StringComparison.Ordinal)).ToList();
        var states = StateTimeline(record, versions);
        var runs = new List<ScheduleRun>();
        foreach (var fire in fires)
        {
            var match = candidates.FirstOrDefault(e => e.StartDate >= fire && e.StartDate <= fire + window);
            if (match is not null)
            {
                candidates.Remove(match);
                runs.Add(new ScheduleRun(fire, RunOutcome.Ran, match.Arn, match.Name, match.Status));
            }
            else if (StateAt(states, fire) == ScheduleState.DISABLED)
            {
                runs.Add(new ScheduleRun(fire, RunOutcome.Skipped, null, null, null));
            }
            else
            {
                runs.Add(new ScheduleRun(fire, fire + window < now ? RunOutcome.Missed : RunOutcome.Due, null, null, null));
            }
        }

        return [.. runs.OrderByDescending(r => r.FireTime)];
    }

    /// <summary>When the schedule was enabled or disabled, from the dashboard's own changes and AWS's last modification.</summary>
    private static List<(DateTimeOffset At, string State)> StateTimeline(ScheduleRecord record, IReadOnlyList<ScheduleVersion> versions)
    {
        var timeline = versions.Where(v => v.Status == OperationStatus.Succeeded && v.After is not null).Select(v => (v.At, v.After!.State)).ToList();
        if (record.LastModificationDate is { } modified)
        {
            timeline.Add((modified, record.State));
        }

        return [.. timeline.OrderBy(t => t.At)];
    }

    private static string StateAt(List<(DateTimeOffset At, string State)> timeline, DateTimeOffset at)
    {
        var state = ScheduleState.ENABLED;
        foreach (var (when, s) in timeline)
        {
            if (when > at)
            {
                break;
            }

            state = s;
        }

        return state;
    }
}
