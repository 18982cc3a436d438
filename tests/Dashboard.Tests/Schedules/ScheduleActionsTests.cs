using BatchOps.Aws.Scheduler;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Features.Schedules;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Operations;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Schedules;

/// <summary>
/// The schedule actions against the sandbox's EventBridge Scheduler over HTTP, with a real read model and one manual
/// clock for the sandbox and the dashboard, so fire times happen exactly when the test moves the clock.
/// </summary>
public sealed class ScheduleActionsTests : IAsyncLifetime
{
    private const string Group = "batchops-operator";
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 30, TimeSpan.Zero));
    private OperationsSandbox _aws = null!;
    private string _machine = null!;

    public async Task InitializeAsync()
    {
        _aws = await OperationsSandbox.StartAsync(time: _clock);
        _machine = await _aws.CreateAsync("nightly", OperationsSandbox.ContractDefinition, contract: true);
    }

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    private ScheduleActions Actions => _aws.Harness.Get<ScheduleActions>();

    private ScheduleQueries Queries => _aws.Harness.Get<ScheduleQueries>();

    private IAmazonScheduler Scheduler => SandboxClients.Administrator(_aws.Sandbox.Endpoint).Scheduler;

    private ScheduleDefinition Definition(string name, string expression = "cron(0 5 * * ? *)") => new()
    {
        GroupName = Group,
        Name = name,
        ScheduleExpression = expression,
        ScheduleExpressionTimezone = "Asia/Tokyo",
        Description = "nightly export",
        FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.FLEXIBLE, MaximumWindowInMinutes = 10 },
        Target = new Target
        {
            Arn = _machine,
            RoleArn = SandboxClients.AdministratorRoleArn,
            Input = """{"commands":["echo","nightly"],"environment":[{"Name":"LOG_LEVEL","Value":"debug"}]}""",
            RetryPolicy = new RetryPolicy { MaximumEventAgeInSeconds = 3600, MaximumRetryAttempts = 3 },
            DeadLetterConfig = new DeadLetterConfig { Arn = "arn:aws:sqs:us-east-1:123456789012:schedule-dlq" },
        },
        EndDate = new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero),
    };

    private async Task<ScheduleDefinition> GetAsync(string name) =>
        ScheduleDefinition.From(await Scheduler.GetScheduleAsync(new GetScheduleRequest { GroupName = Group, Name = name }));

    private async Task<ScheduleDefinition> CreateAsync(ScheduleDefinition definition)
    {
        var created = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(definition, IsNew: true), CancellationToken.None);
        Assert.True(created.Succeeded, created.Message ?? created.Operation?.ErrorMessage);
        return await GetAsync(definition.Name);
    }

    [Fact]
    public async Task Restoring_a_version_brings_back_every_field_exactly()
    {
        var original = await CreateAsync(Definition("export"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var edited = original with
        {
            ScheduleExpression = "cron(30 6 ? * MON-FRI *)", ScheduleExpressionTimezone = "Europe/London", Description = null, EndDate = null,
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF },
            Target = original.Target with { Input = """{"commands":["echo","changed"],"environment":[]}""", RetryPolicy = null, DeadLetterConfig = null },
        };
        var update = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(edited, IsNew: false, original.LastModificationDate), CancellationToken.None);
        Assert.True(update.Succeeded, update.Message);
        Assert.True((await GetAsync("export")).SameAs(edited));
        _clock.Advance(TimeSpan.FromMinutes(1));

        var restored = await Actions.RestoreVersionAsync(OperationsSandbox.Operator, update.Operation!.Id, before: true, CancellationToken.None);

        Assert.True(restored.Succeeded, restored.Message);
        var now = await GetAsync("export");
        Assert.Equal(original with { LastModificationDate = null }, now with { LastModificationDate = null });
        Assert.True(now.LastModificationDate > original.LastModificationDate);
        var versions = (await Queries.GetAsync(Group, "export", CancellationToken.None))!.Versions;
        Assert.Equal([OperationKind.RestoreScheduleVersion, OperationKind.UpdateSchedule, OperationKind.CreateSchedule], versions.Select(v => v.Kind));
    }

    [Fact]
    public async Task An_edit_of_a_version_someone_has_since_changed_is_refused_and_changes_nothing()
    {
        var opened = await CreateAsync(Definition("report"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        // Someone else changes it meanwhile (the console, another dashboard).
        await Scheduler.UpdateScheduleAsync((opened with { ScheduleExpression = "cron(0 7 * * ? *)" }).ToUpdate("elsewhere"));
        var theirs = await GetAsync("report");

        var mine = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(opened with { Description = "mine" }, IsNew: false, opened.LastModificationDate), CancellationToken.None);

        Assert.Equal(OperationResultKind.Conflict, mine.Kind);
        Assert.Contains("changed elsewhere", mine.Message, StringComparison.Ordinal);
        Assert.True((await GetAsync("report")).SameAs(theirs));
    }

    [Fact]
    public async Task A_viewer_is_refused_every_change_and_only_the_refusals_are_recorded()
    {
        var schedule = await CreateAsync(Definition("guarded"));
        var pause = await Actions.PauseGroupAsync(OperationsSandbox.Operator, Group, CancellationToken.None);
        var before = (await _aws.LedgerAsync()).Count;
        var viewer = OperationsSandbox.Viewer;

        OperationResult[] results =
        [
            await Actions.SaveAsync(viewer, new ScheduleSaveRequest(Definition("another"), IsNew: true), CancellationToken.None),
            await Actions.SaveAsync(viewer, new ScheduleSaveRequest(schedule with { Description = "x" }, IsNew: false, schedule.LastModificationDate), CancellationToken.None),
            await Actions.SetStateAsync(viewer, Group, "guarded", enabled: true, null, CancellationToken.None),
            await Actions.DeleteAsync(viewer, Group, "guarded", CancellationToken.None),
            await Actions.RunNowAsync(viewer, Group, "guarded", null, CancellationToken.None),
            await Actions.PauseGroupAsync(viewer, Group, CancellationToken.None),
            await Actions.ResumeGroupAsync(viewer, pause.Operation!.Id, CancellationToken.None),
            await Actions.RestoreVersionAsync(viewer, pause.Operation!.Id - 1, before: true, CancellationToken.None),
        ];

        Assert.All(results, r => Assert.Equal(OperationResultKind.Refused, r.Kind));
        var added = (await _aws.LedgerAsync()).Skip(before).ToList();
        Assert.Equal(results.Length, added.Count);
        Assert.All(added, o => Assert.Equal((OperationStatus.Refused, "vera"), (o.Status, o.Actor)));
        Assert.Equal(ScheduleState.DISABLED, (await GetAsync("guarded")).State);
        Assert.Null((await Scheduler.ListSchedulesAsync(new ListSchedulesRequest { GroupName = Group, NamePrefix = "another" })).Schedules?.FirstOrDefault());
        Assert.Equal(0, await _aws.ExecutionCountAsync(_machine));
        // Deleting needs Admin: an Operator is refused too.
        Assert.Equal(OperationResultKind.Refused, (await Actions.DeleteAsync(OperationsSandbox.Operator, Group, "guarded", CancellationToken.None)).Kind);
        Assert.True((await Actions.DeleteAsync(OperationsSandbox.Admin, Group, "guarded", CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Pausing_a_group_and_restoring_it_enables_exactly_what_the_pause_disabled()
    {
        await CreateAsync(Definition("one"));
        await CreateAsync(Definition("two"));
        await CreateAsync(Definition("already-off") with { State = ScheduleState.DISABLED });

        var pause = await Actions.PauseGroupAsync(OperationsSandbox.Operator, Group, CancellationToken.None);
        Assert.True(pause.Succeeded, pause.Message);
        Assert.All(new[] { "one", "two", "already-off" }, n => Assert.Equal(ScheduleState.DISABLED, GetAsync(n).Result.State));
        Assert.Equal("paused 2 of 2 in batchops-operator: one, two", pause.Operation!.Result);

        var resume = await Actions.ResumeGroupAsync(OperationsSandbox.Operator, pause.Operation.Id, CancellationToken.None);

        Assert.True(resume.Succeeded, resume.Message);
        Assert.Equal((ScheduleState.ENABLED, ScheduleState.ENABLED, ScheduleState.DISABLED), ((await GetAsync("one")).State, (await GetAsync("two")).State, (await GetAsync("already-off")).State));
    }

    [Fact]
    public async Task Run_now_starts_the_target_with_the_schedules_input_named_after_it()
    {
        var schedule = await CreateAsync(Definition("on-demand"));

        var run = await Actions.RunNowAsync(OperationsSandbox.Operator, Group, "on-demand", null, CancellationToken.None);

        Assert.True(run.Succeeded, run.Message ?? run.Operation?.ErrorMessage);
        Assert.Equal(OperationKind.RunScheduleNow, run.Operation!.Kind);
        var started = await _aws.DescribeAsync(run.Operation.ResultArn!);
        Assert.Equal("on-demand-run-20261123T090030", started.Name);
        Assert.Equal(schedule.Target.Input, started.Input);
    }

    [Fact]
    public async Task Schedules_deployed_by_CloudFormation_are_read_only_and_can_be_copied()
    {
        await Scheduler.CreateScheduleGroupAsync(new CreateScheduleGroupRequest { Name = "batchops-managed" });
        var managed = Definition("nightly-batch") with { GroupName = "batchops-managed" };
        await Scheduler.CreateScheduleAsync(managed.ToCreate("cfn"));

        var edit = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(managed with { Description = "x" }, IsNew: false, null), CancellationToken.None);
        var disable = await Actions.SetStateAsync(OperationsSandbox.Operator, "batchops-managed", "nightly-batch", enabled: false, null, CancellationToken.None);
        var copy = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(managed with { GroupName = Group, ScheduleExpression = "cron(30 6 * * ? *)" }, IsNew: true), CancellationToken.None);

        Assert.Equal((OperationResultKind.Conflict, OperationResultKind.Conflict), (edit.Kind, disable.Kind));
        Assert.Contains("deployed by CloudFormation", edit.Message, StringComparison.Ordinal);
        Assert.True(copy.Succeeded, copy.Message);
        Assert.Equal("cron(30 6 * * ? *)", (await GetAsync("nightly-batch")).ScheduleExpression);
    }

    [Theory]
    [InlineData("cron(71 8 1 * ? *)", "Asia/Tokyo", "expression", "minutes: 71 is not between 0 and 59.")]
    [InlineData("rate(10 seconds)", "Asia/Tokyo", "expression", "'seconds' is not a unit")]
    [InlineData("cron(0 5 * * ? *)", "Mars/Olympus", "timezone", "is not an IANA time zone")]
    [InlineData("cron(0 5 * * ? *)", "Tokyo Standard Time", "timezone", "is not an IANA time zone")]
    public async Task Invalid_fields_are_refused_at_the_field_and_nothing_is_created(string expression, string zone, string field, string message)
    {
        var result = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(Definition("bad") with { ScheduleExpression = expression, ScheduleExpressionTimezone = zone }, IsNew: true), CancellationToken.None);

        Assert.Equal(OperationResultKind.Invalid, result.Kind);
        Assert.Contains(message, string.Join(" ", result.Errors![field]), StringComparison.Ordinal);
        Assert.Empty((await Scheduler.ListSchedulesAsync(new ListSchedulesRequest())).Schedules ?? []);
        Assert.Empty(await _aws.LedgerAsync());
    }

    [Fact]
    public async Task Retry_policy_and_flexible_window_limits_are_checked_before_anything_is_sent()
    {
        var bad = Definition("limits") with
        {
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.FLEXIBLE, MaximumWindowInMinutes = 1441 },
            Target = Definition("limits").Target with { RetryPolicy = new RetryPolicy { MaximumEventAgeInSeconds = 59, MaximumRetryAttempts = 186 }, DeadLetterConfig = new DeadLetterConfig { Arn = "not-an-arn" } },
        };

        var result = await Actions.SaveAsync(OperationsSandbox.Operator, new ScheduleSaveRequest(bad, IsNew: true), CancellationToken.None);

        Assert.Equal(["deadLetterArn", "flexibleWindow", "maximumEventAge", "maximumRetryAttempts"], result.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rate_schedule_fires_its_runs_show_the_executions_and_a_disabled_fire_time_is_skipped_not_missed()
    {
        var schedule = await CreateAsync(Definition("every-minute", "rate(1 minute)") with { FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF }, EndDate = null });
        _clock.Advance(TimeSpan.FromMinutes(1));
        _aws.Sandbox.Scheduler.FireDue();
        _clock.Advance(TimeSpan.FromSeconds(10));
        var disabled = await Actions.SetStateAsync(OperationsSandbox.Operator, Group, "every-minute", enabled: false, null, CancellationToken.None);
        Assert.True(disabled.Succeeded, disabled.Message);
        _clock.Advance(TimeSpan.FromMinutes(1));
        _aws.Sandbox.Scheduler.FireDue();
        await _aws.Harness.Indexer.RunAsync(CancellationToken.None);
        await _aws.Harness.Get<ScheduleCatalog>().SyncAsync(CancellationToken.None);

        var runs = (await Queries.GetAsync(Group, "every-minute", CancellationToken.None))!.Runs;

        Assert.Equal([RunOutcome.Skipped, RunOutcome.Ran], runs.Select(r => r.Outcome));
        Assert.Equal(schedule.Target.Input, (await _aws.DescribeAsync(runs[1].ExecutionArn!)).Input);
        Assert.Equal(1, await _aws.ExecutionCountAsync(_machine));
    }
}
