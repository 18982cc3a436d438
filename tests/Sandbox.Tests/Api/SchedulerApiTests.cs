using System.Text.Json.Nodes;
using BatchOps.Aws.Scheduler;
using IAmazonStepFunctions = BatchOps.Aws.StepFunctions.IAmazonStepFunctions;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Scheduler;
using BatchOps.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>The sandbox's EventBridge Scheduler over HTTP (restJson1) with our client, and its clock on a fake time.</summary>
public sealed class SchedulerApiTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::000000000000:role/scheduler";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private SandboxServer _server = null!;
    private IAmazonScheduler _scheduler = null!;
    private IAmazonStepFunctions _sfn = null!;
    private string _machine = null!;

    public async Task InitializeAsync()
    {
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", _time);
        var clients = new TestClients(_server.Endpoint);
        (_scheduler, _sfn) = (clients.Scheduler, clients.StepFunctions);
        _machine = (await _sfn.CreateStateMachineAsync(new()
        {
            Name = "nightly",
            Definition = """{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}}""",
            RoleArn = Role,
        })).StateMachineArn;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private CreateScheduleRequest Schedule(string name, string expression, string? zone = null) => new()
    {
        Name = name,
        ScheduleExpression = expression,
        ScheduleExpressionTimezone = zone,
        FlexibleTimeWindow = new() { Mode = "OFF" },
        Target = new() { Arn = _machine, RoleArn = Role, Input = """{"commands":["report"]}""" },
    };

    public static TheoryData<string, string> RecordedExpressions()
    {
        var data = new TheoryData<string, string>();
        var snapshot = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.SharedAws, "recorded", "scheduler", "test_scheduler.snapshot.json")))!.AsObject();
        foreach (var (test, entry) in snapshot)
        {
            var open = test.IndexOf('[', StringComparison.Ordinal);
            if (open > 0 && test.Contains("schedule_expression", StringComparison.Ordinal) || test.Contains("cron_expressions", StringComparison.Ordinal))
            {
                var expression = test[(open + 1)..^1];
                var content = entry!["recorded-content"]!.AsObject().First().Value!;
                data.Add(expression, content["Error"]?["Message"]?.GetValue<string>() ?? string.Empty);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RecordedExpressions))]
    public async Task Schedule_expressions_are_accepted_or_rejected_as_recorded_against_aws(string expression, string recordedError)
    {
        var name = "s" + Math.Abs(expression.GetHashCode(StringComparison.Ordinal));
        if (recordedError.Length == 0)
        {
            var created = await _scheduler.CreateScheduleAsync(Schedule(name, expression));
            Assert.EndsWith("/default/" + name, created.ScheduleArn, StringComparison.Ordinal);
            return;
        }

        var error = await Assert.ThrowsAsync<ValidationException>(() => _scheduler.CreateScheduleAsync(Schedule(name, expression)));
        Assert.Equal(recordedError, error.ErrorMessage);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _scheduler.GetScheduleAsync(new() { Name = name }));
    }

    [Fact]
    public async Task A_rate_schedule_fires_on_the_clock_and_starts_an_execution_with_the_target_input()
    {
        await _scheduler.CreateScheduleAsync(Schedule("every-minute", "rate(1 minute)"));

        _time.Advance(TimeSpan.FromSeconds(61));
        // What the clock does on its next tick, done here so the test does not race it (a second call finds nothing due).
        _server.Scheduler.FireDue();

        var invocation = Assert.Single(_server.Scheduler.Invocations);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 1, 0, TimeSpan.Zero), invocation.At);
        var execution = await _sfn.DescribeExecutionAsync(new() { ExecutionArn = invocation.ExecutionArn! });
        Assert.Equal("""{"commands":["report"]}""", execution.Input);
    }

    [Fact]
    public async Task A_disabled_schedule_does_not_fire_and_edits_replace_the_schedule()
    {
        await _scheduler.CreateScheduleAsync(Schedule("paused", "rate(1 minute)"));
        var update = Schedule("paused", "cron(0 5 * * ? *)", "Asia/Tokyo");
        await _scheduler.UpdateScheduleAsync(new()
        {
            Name = update.Name, ScheduleExpression = update.ScheduleExpression, ScheduleExpressionTimezone = update.ScheduleExpressionTimezone,
            FlexibleTimeWindow = update.FlexibleTimeWindow, Target = update.Target, State = "DISABLED",
        });

        _time.Advance(TimeSpan.FromMinutes(5));
        _server.Scheduler.FireDue();
        var schedule = await _scheduler.GetScheduleAsync(new() { Name = "paused" });

        Assert.Empty(_server.Scheduler.Invocations);
        Assert.Equal("DISABLED", schedule.State);
        Assert.Equal("cron(0 5 * * ? *)", schedule.ScheduleExpression);
        Assert.Equal("Asia/Tokyo", schedule.ScheduleExpressionTimezone);
        var listed = await _scheduler.ListSchedulesAsync(new() { State = "DISABLED" });
        Assert.Equal("paused", Assert.Single(listed.Schedules).Name);
    }

    [Fact]
    public async Task Bad_requests_get_specific_errors_and_change_nothing()
    {
        await _scheduler.CreateScheduleAsync(Schedule("taken", "rate(5 minutes)"));

        await Assert.ThrowsAsync<ConflictException>(() => _scheduler.CreateScheduleAsync(Schedule("taken", "rate(5 minutes)")));
        var zone = await Assert.ThrowsAsync<ValidationException>(() => _scheduler.CreateScheduleAsync(Schedule("zoned", "rate(5 minutes)", "Mars/Olympus")));
        Assert.Contains("Mars/Olympus", zone.ErrorMessage, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _scheduler.CreateScheduleAsync(Schedule("grouped", "rate(5 minutes)") with { GroupName = "missing" }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _scheduler.DeleteScheduleAsync(new() { Name = "never" }));
        Assert.Single((await _scheduler.ListSchedulesAsync(new())).Schedules);
    }

    [Fact]
    public async Task Groups_and_tags_round_trip()
    {
        var group = await _scheduler.CreateScheduleGroupAsync(new() { Name = "operator-owned" });
        await _scheduler.TagResourceAsync(new() { ResourceArn = group.ScheduleGroupArn, Tags = [new() { Key = "owner", Value = "on-call" }] });

        var groups = await _scheduler.ListScheduleGroupsAsync(new());
        var tags = await _scheduler.ListTagsForResourceAsync(new() { ResourceArn = group.ScheduleGroupArn });

        Assert.Equal(["default", "operator-owned"], groups.ScheduleGroups.Select(g => g.Name));
        Assert.Equal("on-call", Assert.Single(tags.Tags!).Value);
    }
}
