using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using BatchOps.Aws.Scheduler;
using BatchOps.Schedules;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Scheduler;

/// <summary>
/// EventBridge Scheduler on one machine: groups and schedules with the service's validation, and a clock
/// (<see cref="RunAsync"/>) that fires due schedules at Step Functions state machines with the target input.
/// </summary>
public sealed partial class SchedulerSandbox(Func<StepFunctionsSandbox> stepFunctions, TimeProvider time, SandboxAccount account)
{
    public const string DefaultGroup = "default";

    private readonly ConcurrentDictionary<string, Group> _groups = new(StringComparer.Ordinal)
    {
        [DefaultGroup] = new Group(DefaultGroup, $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule-group/{DefaultGroup}", time.GetUtcNow(), []),
    };

    private readonly ConcurrentDictionary<(string Group, string Name), Entry> _schedules = new();

    /// <summary>Every firing, in order: what was invoked and whether it was delivered (after retries) or dead-lettered.</summary>
    public ConcurrentQueue<Invocation> Invocations { get; } = new();

    public sealed record Invocation(string Schedule, string TargetArn, DateTimeOffset At, string? ExecutionArn, string? Error);

    /// <summary>
    /// Checks what a schedule's role may do (role ARN, requests): null when allowed, else AWS's refusal. Scheduler
    /// starts the target and sends to the dead-letter queue as the target's role.
    /// </summary>
    public Func<string, IReadOnlyList<Iam.AuthorizationRequest>, string?>? Authorize { get; set; }

    private sealed record Group(string Name, string Arn, DateTimeOffset Created, List<Tag> Tags);

    private sealed class Entry(GetScheduleResponse schedule, ScheduleExpression expression, TimeZoneInfo zone)
    {
        public GetScheduleResponse Schedule { get; set; } = schedule;
        public ScheduleExpression Expression { get; set; } = expression;
        public TimeZoneInfo Zone { get; set; } = zone;
        public DateTimeOffset? NextFire { get; set; }
        public List<Tag> Tags { get; } = [];
        public string? ClientToken { get; set; }
    }

    public CreateScheduleResponse CreateSchedule(CreateScheduleRequest r)
    {
        var group = GroupOf(r.GroupName);
        var (expression, zone) = Validate(r.Name, r.ScheduleExpression, r.ScheduleExpressionTimezone, r.FlexibleTimeWindow, r.Target, r.State, r.StartDate, r.EndDate, r.ActionAfterCompletion);
        var arn = $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule/{group.Name}/{r.Name}";
        var now = time.GetUtcNow();
        var entry = new Entry(new GetScheduleResponse
        {
            Arn = arn, Name = r.Name, GroupName = group.Name, ScheduleExpression = r.ScheduleExpression, ScheduleExpressionTimezone = r.ScheduleExpressionTimezone ?? "UTC",
            FlexibleTimeWindow = r.FlexibleTimeWindow, Target = r.Target, State = r.State ?? "ENABLED", StartDate = r.StartDate, EndDate = r.EndDate,
            Description = r.Description, ActionAfterCompletion = r.ActionAfterCompletion ?? "NONE", KmsKeyArn = r.KmsKeyArn, CreationDate = now, LastModificationDate = now,
        }, expression, zone)
        { ClientToken = r.ClientToken };
        var existing = _schedules.GetOrAdd((group.Name, r.Name), entry);
        if (!ReferenceEquals(existing, entry))
        {
            // A retried create with the same client token is the same request.
            return r.ClientToken is not null && existing.ClientToken == r.ClientToken
                ? new CreateScheduleResponse { ScheduleArn = arn }
                : throw new SandboxErrorException("ConflictException", $"Schedule {r.Name} already exists.", HttpStatusCode.Conflict);
        }

        Plan(entry, now);
        return new CreateScheduleResponse { ScheduleArn = arn };
    }

    public UpdateScheduleResponse UpdateSchedule(UpdateScheduleRequest r)
    {
        var entry = Find(r.GroupName, r.Name);
        var (expression, zone) = Validate(r.Name, r.ScheduleExpression, r.ScheduleExpressionTimezone, r.FlexibleTimeWindow, r.Target, r.State, r.StartDate, r.EndDate, r.ActionAfterCompletion);
        lock (entry)
        {
            // UpdateSchedule replaces the whole schedule, as the service does: omitted fields return to defaults.
            entry.Schedule = entry.Schedule with
            {
                ScheduleExpression = r.ScheduleExpression, ScheduleExpressionTimezone = r.ScheduleExpressionTimezone ?? "UTC", FlexibleTimeWindow = r.FlexibleTimeWindow,
                Target = r.Target, State = r.State ?? "ENABLED", StartDate = r.StartDate, EndDate = r.EndDate, Description = r.Description,
                ActionAfterCompletion = r.ActionAfterCompletion ?? "NONE", KmsKeyArn = r.KmsKeyArn, LastModificationDate = time.GetUtcNow(),
            };
            (entry.Expression, entry.Zone) = (expression, zone);
            Plan(entry, time.GetUtcNow());
        }

        return new UpdateScheduleResponse { ScheduleArn = entry.Schedule.Arn! };
    }

    public GetScheduleResponse GetSchedule(GetScheduleRequest r) => Find(r.GroupName, r.Name).Schedule;

    public DeleteScheduleResponse DeleteSchedule(DeleteScheduleRequest r)
    {
        var group = GroupOf(r.GroupName).Name;
        return _schedules.TryRemove((group, r.Name), out _)
            ? new DeleteScheduleResponse()
            : throw new SandboxErrorException("ResourceNotFoundException", $"Schedule {r.Name} does not exist.", HttpStatusCode.NotFound);
    }

    public ListSchedulesResponse ListSchedules(ListSchedulesRequest r)
    {
        if (r.GroupName is not null)
        {
            GroupOf(r.GroupName);
        }

        var items = _schedules.Values.Select(e => e.Schedule)
            .Where(s => (r.GroupName is null || s.GroupName == r.GroupName) && (r.NamePrefix is null || s.Name!.StartsWith(r.NamePrefix, StringComparison.Ordinal)) && (r.State is null || s.State == r.State))
            .OrderBy(s => s.GroupName, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        var (page, next) = Paging.Page(items, r.MaxResults, r.NextToken, "ValidationException");
        return new ListSchedulesResponse
        {
            Schedules = [.. page.Select(s => new ScheduleSummary { Arn = s.Arn, Name = s.Name, GroupName = s.GroupName, State = s.State, CreationDate = s.CreationDate, LastModificationDate = s.LastModificationDate, Target = new TargetSummary { Arn = s.Target!.Arn } })],
            NextToken = next,
        };
    }

    public CreateScheduleGroupResponse CreateScheduleGroup(CreateScheduleGroupRequest r)
    {
        ValidateName(r.Name);
        var group = new Group(r.Name, $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule-group/{r.Name}", time.GetUtcNow(), r.Tags ?? []);
        return _groups.TryAdd(r.Name, group)
            ? new CreateScheduleGroupResponse { ScheduleGroupArn = group.Arn }
            : throw new SandboxErrorException("ConflictException", $"Schedule group {r.Name} already exists.", HttpStatusCode.Conflict);
    }

    public GetScheduleGroupResponse GetScheduleGroup(GetScheduleGroupRequest r)
    {
        var g = GroupOf(r.Name);
        return new GetScheduleGroupResponse { Arn = g.Arn, Name = g.Name, State = "ACTIVE", CreationDate = g.Created, LastModificationDate = g.Created };
    }

    public ListScheduleGroupsResponse ListScheduleGroups(ListScheduleGroupsRequest r)
    {
        var items = _groups.Values.Where(g => r.NamePrefix is null || g.Name.StartsWith(r.NamePrefix, StringComparison.Ordinal)).OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        var (page, next) = Paging.Page(items, r.MaxResults, r.NextToken, "ValidationException");
        return new ListScheduleGroupsResponse { ScheduleGroups = [.. page.Select(g => new ScheduleGroupSummary { Arn = g.Arn, Name = g.Name, State = "ACTIVE", CreationDate = g.Created, LastModificationDate = g.Created })], NextToken = next };
    }

    public ListTagsForResourceResponse ListTagsForResource(ListTagsForResourceRequest r) => new() { Tags = TagsOf(r.ResourceArn) };

    public TagResourceResponse TagResource(TagResourceRequest r)
    {
        var tags = TagsOf(r.ResourceArn);
        lock (tags)
        {
            foreach (var tag in r.Tags)
            {
                tags.RemoveAll(t => t.Key == tag.Key);
                tags.Add(tag);
            }
        }

        return new TagResourceResponse();
    }

    /// <summary>The scheduler's clock: checks every second (of the sandbox's clock) for due schedules.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            FireDue();
        }
    }

    /// <summary>Fires every enabled schedule whose time has come (once per due time, even after a long pause).</summary>
    public void FireDue()
    {
        var now = time.GetUtcNow();
        foreach (var ((group, name), entry) in _schedules)
        {
            lock (entry)
            {
                if (entry.Schedule.State != "ENABLED" || entry.NextFire is not { } due || due > now)
                {
                    continue;
                }

                Invoke(entry, due);
                Plan(entry, now);
                if (entry.NextFire is null && entry.Schedule.ActionAfterCompletion == "DELETE")
                {
                    _schedules.TryRemove((group, name), out _);
                }
            }
        }
    }

    private void Invoke(Entry entry, DateTimeOffset due)
    {
        var target = entry.Schedule.Target!;
        var attempts = 1 + (target.RetryPolicy?.MaximumRetryAttempts ?? 185);
        string? error = null;
        if (Authorize?.Invoke(target.RoleArn, [new Iam.AuthorizationRequest("states:StartExecution", target.Arn)]) is { } refused)
        {
            // A permission error is not retried: the invocation goes to the dead-letter queue, if the role may send there.
            error = $"AccessDeniedException: {refused}";
            attempts = 0;
        }

        for (var attempt = 0; attempt < Math.Min(attempts, 3); attempt++)
        {
            try
            {
                var started = stepFunctions().StartExecution(new Aws.StepFunctions.StartExecutionRequest { StateMachineArn = target.Arn, Input = target.Input ?? "{}" });
                Invocations.Enqueue(new Invocation(entry.Schedule.Arn!, target.Arn, due, started.ExecutionArn, null));
                return;
            }
            catch (SandboxErrorException e)
            {
                error = $"{e.Code}: {e.Message}";
            }
        }

        // Undeliverable: what the dead-letter queue would receive.
        if (target.DeadLetterConfig?.Arn is { } queue && Authorize?.Invoke(target.RoleArn, [new Iam.AuthorizationRequest("sqs:SendMessage", queue)]) is { } lost)
        {
            error += $" (not sent to the dead-letter queue: {lost})";
        }

        Invocations.Enqueue(new Invocation(entry.Schedule.Arn!, target.Arn, due, null, error));
    }

    private static void Plan(Entry entry, DateTimeOffset now)
    {
        var s = entry.Schedule;
        var next = entry.Expression.Next(now, entry.Zone, s.StartDate ?? (entry.Expression is RateSchedule ? s.CreationDate : null));
        entry.NextFire = next is { } n && (s.EndDate is null || n <= s.EndDate) ? n : null;
    }

    private (ScheduleExpression, TimeZoneInfo) Validate(string name, string expressionText, string? timezone, FlexibleTimeWindow window, Target target, string? state, DateTimeOffset? start, DateTimeOffset? end, string? after)
    {
        ValidateName(name);
        if (!ScheduleExpression.TryParse(expressionText, out var expression, out _))
        {
            // The service says only this, whatever is wrong (the dashboard says more before it sends).
            throw new SandboxErrorException("ValidationException", ScheduleExpression.Invalid(expressionText));
        }

        var zone = TimeZoneInfo.Utc;
        if (timezone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out zone))
        {
            throw new SandboxErrorException("ValidationException", $"Invalid time zone: {timezone}.");
        }

        if (window.Mode is not ("OFF" or "FLEXIBLE") || (window.Mode == "FLEXIBLE" && window.MaximumWindowInMinutes is not (>= 1 and <= 1440)) || (window.Mode == "OFF" && window.MaximumWindowInMinutes is not null))
        {
            throw new SandboxErrorException("ValidationException", "FlexibleTimeWindow: Mode must be OFF, or FLEXIBLE with MaximumWindowInMinutes between 1 and 1440.");
        }

        if (string.IsNullOrEmpty(target.Arn) || string.IsNullOrEmpty(target.RoleArn))
        {
            throw new SandboxErrorException("ValidationException", "Target Arn and RoleArn are required.");
        }

        if (state is not (null or "ENABLED" or "DISABLED") || after is not (null or "NONE" or "DELETE"))
        {
            throw new SandboxErrorException("ValidationException", "State must be ENABLED or DISABLED; ActionAfterCompletion NONE or DELETE.");
        }

        if (start is not null && end is not null && start >= end)
        {
            throw new SandboxErrorException("ValidationException", "The StartDate must be before the EndDate.");
        }

        if (end is not null && end <= time.GetUtcNow())
        {
            throw new SandboxErrorException("ValidationException", "The EndDate must be in the future.");
        }

        if (target.RetryPolicy?.MaximumRetryAttempts is < 0 or > 185 || target.RetryPolicy?.MaximumEventAgeInSeconds is < 60 or > 86400)
        {
            throw new SandboxErrorException("ValidationException", "RetryPolicy: MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86400.");
        }

        return (expression, zone);
    }

    private static void ValidateName(string name)
    {
        if (name.Length is 0 or > 64 || !NamePattern().IsMatch(name))
        {
            throw new SandboxErrorException("ValidationException", $"Invalid name '{name}': 1-64 characters from [0-9a-zA-Z-_.].");
        }
    }

    private Group GroupOf(string? name) =>
        _groups.TryGetValue(name ?? DefaultGroup, out var g) ? g : throw new SandboxErrorException("ResourceNotFoundException", $"Schedule group {name} does not exist.", HttpStatusCode.NotFound);

    private Entry Find(string? group, string name) =>
        _schedules.TryGetValue((GroupOf(group).Name, name), out var e) ? e : throw new SandboxErrorException("ResourceNotFoundException", $"Schedule {name} does not exist.", HttpStatusCode.NotFound);

    private List<Tag> TagsOf(string arn)
    {
        var group = _groups.Values.FirstOrDefault(g => g.Arn == arn);
        if (group is not null)
        {
            return group.Tags;
        }

        return _schedules.Values.FirstOrDefault(e => e.Schedule.Arn == arn)?.Tags
            ?? throw new SandboxErrorException("ResourceNotFoundException", $"Resource {arn} does not exist.", HttpStatusCode.NotFound);
    }

    [GeneratedRegex("^[0-9a-zA-Z-_.]+$")]
    private static partial Regex NamePattern();
}
