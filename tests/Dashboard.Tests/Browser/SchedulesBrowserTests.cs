using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Schedules;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard of its own for the schedule tests: sandbox mode with the sandbox's clock 30 times faster than real time
/// (a minute passes in two seconds, and the dashboard's "now" follows it), schedules read every 5 s, and Chromium.
/// </summary>
public sealed class SchedulesFixture : IAsyncLifetime
{
    public DashboardProcess Dashboard { get; private set; } = null!;

    public Support.Browser Browser { get; private set; } = null!;

    public IAmazonStepFunctions Sfn { get; private set; } = null!;

    public IAmazonScheduler Scheduler { get; private set; } = null!;

    private string _template = null!;

    public string Url(string pathAndQuery) => new Uri(Dashboard.BaseUrl, pathAndQuery).ToString();

    public async Task InitializeAsync()
    {
        // The stack's dashboard may change schedules in the operators' group only; these tests give each case a group
        // of its own, so their stack lets it manage every group's schedules (the managed group stays read-only in the page).
        _template = TemplateCopies.WriteTemporary(TemplateCopies.WithStatement(
            TemplateCopies.Synthesized,
            "DashboardServiceTaskDefTaskRoleDefaultPolicy",
            """{"Effect":"Allow","Action":["scheduler:GetSchedule","scheduler:CreateSchedule","scheduler:UpdateSchedule","scheduler:DeleteSchedule"],"Resource":"arn:aws:scheduler:*:*:schedule/*/*"}"""));
        Dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Template"] = _template,
            ["Sandbox:SeedActivity"] = "false",
            ["Sandbox:TimeScale"] = "30",
            ["Sync:ExecutionsInterval"] = "00:00:01",
            ["Sync:HistoryInterval"] = "00:00:02",
            ["Schedules:SyncInterval"] = "00:00:05",
        });
        Browser = await Support.Browser.LaunchAsync(Dashboard.BaseUrl);
        var sandbox = Dashboard.RequiredSandboxUrl;
        Sfn = SandboxClients.Administrator(sandbox).StepFunctions;
        Scheduler = SandboxClients.Administrator(sandbox).Scheduler;
    }

    public async Task<string> MachineAsync(string name) =>
        (await Sfn.ListStateMachinesAsync(new())).StateMachines.Single(m => m.Name == name).StateMachineArn;

    /// <summary>A schedule made directly in the sandbox (as the console or another tool would), in a group of its own.</summary>
    public async Task<ScheduleDefinition> CreateAsync(string group, string name, string state = ScheduleState.ENABLED)
    {
        try
        {
            await Scheduler.CreateScheduleGroupAsync(new CreateScheduleGroupRequest { Name = group });
        }
        catch (Aws.Scheduler.ConflictException)
        {
        }

        var nightly = ScheduleDefinition.From(await Scheduler.GetScheduleAsync(new GetScheduleRequest { GroupName = "batchops-managed", Name = "nightly-batch" }));
        var definition = nightly with { GroupName = group, Name = name, State = state, LastModificationDate = null };
        await Scheduler.CreateScheduleAsync(definition.ToCreate(Guid.NewGuid().ToString("N")));
        return definition;
    }

    public async Task<GetScheduleResponse> GetAsync(string group, string name) => await Scheduler.GetScheduleAsync(new GetScheduleRequest { GroupName = group, Name = name });

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Dashboard.DisposeAsync();
        File.Delete(_template);
    }
}

[CollectionDefinition(Name)]
public sealed class SchedulesCollection : ICollectionFixture<SchedulesFixture>
{
    public const string Name = "schedules";
}

[Collection(SchedulesCollection.Name)]
public sealed partial class SchedulesBrowserTests(SchedulesFixture fixture)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await fixture.Browser.NewPageAsync(timezone: "UTC");
        await page.GotoAsync(fixture.Url(path));
        await Pages.WaitInteractiveAsync(page);
        return page;
    }

    [Fact]
    public async Task Copying_the_nightly_schedule_into_the_operator_group_at_0630_shows_its_new_fire_times()
    {
        var page = await OpenAsync("/schedules/batchops-managed/nightly-batch");
        await Assertions.Expect(page.Locator("[data-testid=read-only]")).ToContainTextAsync("Deployed by CloudFormation", new() { Timeout = 30_000 });
        Assert.Equal(0, await page.Locator("[data-testid=edit-schedule]").CountAsync());

        await page.Locator("[data-testid=copy-schedule]").ClickAsync();
        await Assertions.Expect(page.Locator("input[data-testid=schedule-group]")).ToHaveValueAsync("batchops-operator");
        var name = Unique("nightly-0630");
        await page.Locator("input[data-testid=schedule-name]").FillAsync(name);
        await page.Locator("input[data-testid=schedule-expression]").FillAsync("cron(30 6 * * ? *)");
        await Assertions.Expect(page.Locator("[data-testid=fire-times] li").First).ToContainTextAsync("06:30 Asia/Tokyo");
        await page.Locator("[data-testid=save-schedule]").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/schedules/batchops-operator/{name}$"), new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=in-words]")).ToContainTextAsync("every day at 06:30, Asia/Tokyo");
        await Assertions.Expect(page.Locator("[data-testid=fire-times] li").First).ToContainTextAsync("06:30 Asia/Tokyo");
        var copy = await fixture.GetAsync("batchops-operator", name);
        var nightly = await fixture.GetAsync("batchops-managed", "nightly-batch");
        Assert.Equal(("cron(30 6 * * ? *)", nightly.Target!.Input, nightly.Target.RetryPolicy, nightly.Target.DeadLetterConfig!.Arn), (copy.ScheduleExpression, copy.Target!.Input, copy.Target.RetryPolicy, copy.Target.DeadLetterConfig!.Arn));
        Assert.Equal(nightly.Target.RoleArn, copy.Target.RoleArn);
        Assert.Equal("cron(0 5 * * ? *)", nightly.ScheduleExpression);
    }

    [Fact]
    public async Task Disabling_and_enabling_a_schedule_changes_it_in_EventBridge_Scheduler()
    {
        var group = Unique("toggle");
        await fixture.CreateAsync(group, "report");
        var page = await OpenAsync($"/schedules/{group}/report");

        await page.Locator("[data-testid=disable-schedule]").ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=schedule-state]")).ToHaveAttributeAsync("data-value", "DISABLED");
        Assert.Equal(ScheduleState.DISABLED, (await fixture.GetAsync(group, "report")).State);
        await page.Locator("[data-testid=enable-schedule]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=schedule-state]")).ToHaveAttributeAsync("data-value", "ENABLED");

        Assert.Equal(ScheduleState.ENABLED, (await fixture.GetAsync(group, "report")).State);
        await Assertions.Expect(page.Locator("[data-testid=versions] tbody tr")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Run_now_starts_the_target_with_the_schedules_input()
    {
        var group = Unique("manual");
        var schedule = await fixture.CreateAsync(group, "adhoc", ScheduleState.DISABLED);
        var page = await OpenAsync($"/schedules/{group}/adhoc");

        await page.Locator("[data-testid=run-now]").ClickAsync(new() { Timeout = 30_000 });

        var link = page.Locator("[data-testid=operation-notice] [data-testid=result-execution]");
        await Assertions.Expect(link).ToContainTextAsync("adhoc-run-", new() { Timeout = 20_000 });
        var arn = Uri.UnescapeDataString((await link.GetAttributeAsync("href"))!.Split('/')[^1]);
        Assert.Equal(schedule.Target.Input, (await fixture.Sfn.DescribeExecutionAsync(new() { ExecutionArn = arn })).Input);
    }

    [Fact]
    public async Task Pausing_a_group_and_restoring_it_brings_back_exactly_what_was_running()
    {
        var group = Unique("maint");
        await fixture.CreateAsync(group, "one");
        await fixture.CreateAsync(group, "two");
        await fixture.CreateAsync(group, "off", ScheduleState.DISABLED);
        var page = await OpenAsync($"/schedules?group={group}");
        await Assertions.Expect(page.Locator("[data-schedule]")).ToHaveCountAsync(3, new() { Timeout = 30_000 });

        await page.Locator("[data-testid=pause-group]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=paused]")).ToContainTextAsync("paused 2 of 2");
        Assert.Equal([ScheduleState.DISABLED, ScheduleState.DISABLED, ScheduleState.DISABLED], await StatesAsync(group));
        await page.Locator("[data-testid=resume-group]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=operation-notice]")).ToContainTextAsync("resumed 2 of 2");

        Assert.Equal([ScheduleState.ENABLED, ScheduleState.ENABLED, ScheduleState.DISABLED], await StatesAsync(group));
    }

    private async Task<string[]> StatesAsync(string group) =>
        [(await fixture.GetAsync(group, "one")).State ?? "", (await fixture.GetAsync(group, "two")).State ?? "", (await fixture.GetAsync(group, "off")).State ?? ""];

    [Fact]
    public async Task A_schedule_changed_elsewhere_meanwhile_is_not_overwritten()
    {
        var group = Unique("race");
        var schedule = await fixture.CreateAsync(group, "export");
        var page = await OpenAsync($"/schedules/{group}/export/edit");
        await Assertions.Expect(page.Locator("input[data-testid=schedule-expression]")).ToHaveValueAsync("cron(0 5 * * ? *)");
        // Someone else moves it meanwhile.
        await fixture.Scheduler.UpdateScheduleAsync((schedule with { ScheduleExpression = "cron(0 7 * * ? *)" }).ToUpdate("elsewhere"));

        await page.Locator("input[data-testid=schedule-expression]").FillAsync("cron(15 5 * * ? *)");
        await page.Locator("[data-testid=save-schedule]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=changed-elsewhere]")).ToContainTextAsync("nothing was saved");
        await Assertions.Expect(page.Locator("[data-testid=changed-elsewhere] [data-diff='+']").Filter(new() { HasText = "cron(0 7" })).ToHaveCountAsync(1);
        Assert.Equal("cron(0 7 * * ? *)", (await fixture.GetAsync(group, "export")).ScheduleExpression);
    }

    [Fact]
    public async Task Every_recorded_invalid_expression_is_refused_with_AWSs_message_and_why()
    {
        var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedAws, "recorded", "scheduler", "test_scheduler.snapshot.json")))!.AsObject();
        var invalid = snapshot.Select(p => InvalidCase().Match(p.Key)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(17, invalid.Count);
        var page = await OpenAsync("/schedules/new");
        var expression = page.Locator("input[data-testid=schedule-expression]");
        var error = page.Locator("[data-testid=fire-times-error]");

        foreach (var text in invalid)
        {
            await expression.FillAsync(text);
            await Assertions.Expect(error).ToContainTextAsync($"Invalid Schedule Expression {text.Trim()}");
        }

        // A zone typed in full (not picked from the list) is taken when the field is left.
        await expression.FillAsync("cron(30 2 ? * SUN *)");
        await page.Locator("input[data-testid=schedule-timezone]").FillAsync("America/New_York");
        await page.Locator("input[data-testid=schedule-timezone]").PressAsync("Tab");
        await Assertions.Expect(page.Locator("[data-testid=fire-times] li").First).ToContainTextAsync("02:30 America/New_York");
        await expression.FillAsync(invalid[^1]);

        await page.Locator("input[data-testid=schedule-name]").FillAsync(Unique("never"));
        await page.Locator("[data-testid=save-schedule]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=builder] .mud-input-helper-text").Filter(new() { HasText = "Invalid Schedule Expression" })).ToHaveCountAsync(1);
        Assert.Empty((await fixture.Scheduler.ListSchedulesAsync(new ListSchedulesRequest { NamePrefix = "never" })).Schedules ?? []);
    }

    [Fact]
    public async Task A_rate_schedule_made_in_the_dashboard_fires_on_the_fast_clock_and_its_runs_show_the_executions()
    {
        var page = await OpenAsync("/schedules/new");
        var name = Unique("ticker");
        await page.Locator("input[data-testid=schedule-name]").FillAsync(name);
        await Pages.ChooseAsync(page, "builder-kind", "Every … (rate)");
        await page.Locator("input[data-testid=builder-every]").FillAsync("1");
        await page.Locator("[data-testid=builder-apply]").ClickAsync();
        await Assertions.Expect(page.Locator("input[data-testid=schedule-expression]")).ToHaveValueAsync("rate(1 minute)");
        await Pages.ChooseAsync(page, "schedule-target", "batch-job");
        await page.Locator("input[data-testid=arg-0]").FillAsync("echo");
        await page.Locator("[data-testid=save-schedule]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/schedules/batchops-operator/{name}$"), new() { Timeout = 20_000 });

        // A minute of the sandbox's clock is two seconds: runs appear, each matched to the execution it started.
        var ran = page.Locator("[data-testid=runs] [data-outcome=Ran]");
        await Assertions.Expect(ran.First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.Locator("[data-testid=disable-schedule]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=schedule-state]")).ToHaveAttributeAsync("data-value", "DISABLED");
        var execution = await ran.First.Locator("xpath=ancestor::tr").Locator("a").First.TextContentAsync();
        var list = await OpenAsync("/executions?workflow=batch-job");
        await Assertions.Expect(list.Locator("[data-execution]").Filter(new() { HasText = execution! })).ToHaveCountAsync(1);
        // While disabled, its fire times are skipped, not missed.
        await Assertions.Expect(page.Locator("[data-testid=runs] [data-outcome=Skipped]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(0, await page.Locator("[data-testid=runs] [data-outcome=Missed]").CountAsync());
    }

    [GeneratedRegex(@"::tests_create_schedule_with_invalid_schedule_expression\[(.*)\]$")]
    private static partial Regex InvalidCase();
}
