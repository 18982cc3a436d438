using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.Features.Overview;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The pages, with the read model faked at its query interfaces.</summary>
public sealed class PageTests : ComponentTest
{
    private const string Arn = "arn:aws:states:us-east-1:123456789012:execution:batch-job:sync-inventory-1";
    private readonly FakeExecutionQueries _executions = new();
    private readonly FakeExecutionDetailQueries _details = new();
    private readonly FakeRefresher _refresher = new();
    private readonly FakeOverviewQueries _overview = new();
    private readonly FakeStoppedTaskQueries _stopped = new();

    public PageTests()
    {
        Services.AddSingleton<IExecutionQueries>(_executions);
        Services.AddSingleton<IExecutionDetailQueries>(_details);
        Services.AddSingleton<IExecutionRefresher>(_refresher);
        Services.AddSingleton<IOverviewQueries>(_overview);
        Services.AddSingleton<IStoppedTaskQueries>(_stopped);
        Services.AddScoped<ExecutionsViewModel>();
        Services.AddScoped<ExecutionDetailViewModel>();
        // As on a connected circuit; a test of the prerendered page says otherwise.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    // The action bar and bulk menu read the real ledger; nothing listens at this AWS address, and these tests act on nothing.
    public override Task InitializeAsync() => StartOperationServicesAsync(new Uri("http://127.0.0.1:9/"));

    private DateTimeOffset Now => Clock.GetUtcNow();

    private ExecutionRow Row(string name, string status, StopReasonClass? reason = null, int redrives = 0) =>
        new($"arn:aws:states:us-east-1:123456789012:execution:batch-job:{name}", name, "batch-job", status, Now.AddMinutes(-30), status == ExecutionStatus.RUNNING ? null : Now.AddMinutes(-29), redrives, null, reason, 1, status == ExecutionStatus.FAILED ? "States.TaskFailed" : null);

    [Fact]
    public void The_executions_page_queries_with_the_filter_in_the_url_and_shows_status_and_reason_per_row()
    {
        _executions.Rows = [Row("sync-inventory-1", ExecutionStatus.FAILED, StopReasonClass.ApplicationExit, redrives: 1), Row("daily-report-1", ExecutionStatus.SUCCEEDED)];
        _executions.Counts = new() { [ExecutionStatus.FAILED] = 1, [ExecutionStatus.SUCCEEDED] = 1, [ExecutionsFilter.Redrivable] = 1 };
        Navigation.NavigateTo("/executions?workflow=batch-job&status=FAILED&reason=ApplicationExit&sort=name&dir=asc&size=25");

        var page = RenderWithPopovers<ExecutionsPage>();

        var asked = _executions.Asked[^1];
        Assert.Equal(("batch-job", ExecutionStatus.FAILED, StopReasonClass.ApplicationExit, "name", false, 25), (asked.Workflow, asked.Status, asked.Reason, asked.Sort, asked.Descending, asked.PageSize));
        var row = Assert.Single(page.FindAll("[data-testid=executions] tbody tr"));
        Assert.Equal("FAILED", row.QuerySelector("[data-status]")!.TextContent.Trim());
        Assert.Equal("ApplicationExit", row.QuerySelector("[data-reason]")!.GetAttribute("data-reason"));
        Assert.Contains("redriven ×1", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("ascending", page.Find("th:has(a[data-sort=name])").GetAttribute("aria-sort"));
        Assert.Equal("FAILED 1", page.Find("[data-count-status=FAILED]").TextContent.Trim());
        Assert.Equal("REDRIVABLE 1", page.Find("[data-count-status=REDRIVABLE]").TextContent.Trim());
    }

    [Fact]
    public void A_name_search_past_the_count_cap_says_it_is_not_counted_exactly_and_pages_on()
    {
        _executions.Rows = [Row("import-1", ExecutionStatus.FAILED), Row("import-2", ExecutionStatus.SUCCEEDED)];
        _executions.CappedAt = 10_000;
        Navigation.NavigateTo("/executions?q=import");

        var page = RenderWithPopovers<ExecutionsPage>();

        Assert.Equal("10,000+ executions", page.Find("[data-testid=total]").TextContent.Trim());
        Assert.Contains("More than 10,000 executions match this name search", page.Find("[data-testid=search-capped]").TextContent, StringComparison.Ordinal);
        // The chips still filter; they show no number they do not know.
        Assert.Equal("FAILED", page.Find("[data-count-status=FAILED]").TextContent.Trim());
        Assert.Equal("Page 1 of 200+", page.Find("[data-testid=page-of]").TextContent.Trim());
        Assert.Equal(2, page.FindAll("[data-testid=executions] tbody tr").Count);
    }

    [Fact]
    public void Before_the_circuit_connects_the_page_shows_its_rows_and_what_they_are_filtered_by()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));
        _executions.Rows = [Row("sync-inventory-1", ExecutionStatus.FAILED)];
        Navigation.NavigateTo("/executions?status=FAILED&q=sync");

        var page = Render<ExecutionsPage>();

        Assert.Contains("Filtered by status FAILED, name contains \"sync\".", page.Find(".filters-pending").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=f-status]"));
        Assert.Single(page.FindAll("[data-testid=executions] tbody tr"));
    }

    [Fact]
    public void Choosing_a_filter_puts_it_in_the_url_and_back_on_page_one()
    {
        Navigation.NavigateTo("/executions?page=3");
        var page = RenderWithPopovers<ExecutionsPage>();

        page.Find("[data-testid=f-status]").MouseDown();
        Popovers!.FindAll("[role=option]").Single(o => o.TextContent.Trim() == "FAILED").Click();

        Assert.EndsWith("/executions?status=FAILED", Navigation.Uri, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Equal(ExecutionStatus.FAILED, _executions.Asked[^1].Status));
    }

    [Fact]
    public void Typing_a_search_replaces_the_url_entry_instead_of_adding_one_per_keystroke()
    {
        Navigation.NavigateTo("/executions?status=FAILED");
        var page = RenderWithPopovers<ExecutionsPage>();

        page.Find("input[data-testid=f-search]").Input("sync-inv");
        // The field debounces on the dashboard's clock.
        Clock.Advance(TimeSpan.FromMilliseconds(350));

        page.WaitForAssertion(() => Assert.EndsWith("/executions?status=FAILED&q=sync-inv", Navigation.Uri, StringComparison.Ordinal));
        Assert.True(Navigation.History.First().Options.ReplaceHistoryEntry);
    }

    [Fact]
    public void A_bad_value_in_the_url_is_reported_and_ignored_never_an_error_page()
    {
        Navigation.NavigateTo("/executions?status=EXPLODED&range=3d");

        var page = RenderWithPopovers<ExecutionsPage>();

        var problems = page.FindAll("[data-testid=url-problem]").Select(p => p.TextContent).ToList();
        Assert.Contains(problems, p => p.Contains("Unknown status \"EXPLODED\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Unknown time range \"3d\"", StringComparison.Ordinal));
        Assert.Null(_executions.Asked[^1].Status);
    }

    [Fact]
    public void New_executions_reach_an_open_list_once_per_second_however_many_changes_are_published()
    {
        var page = RenderWithPopovers<ExecutionsPage>();
        var before = _executions.Asked.Count;

        Changes.Publish(ReadModelChangeKind.Executions);
        page.WaitForAssertion(() => Assert.Equal(before + 1, _executions.Asked.Count));
        for (var i = 0; i < 50; i++)
        {
            Changes.Publish(ReadModelChangeKind.Executions);
        }

        Assert.Equal(before + 1, _executions.Asked.Count);
        Clock.Advance(LiveComponentBase.RefreshInterval);
        page.WaitForAssertion(() => Assert.Equal(before + 2, _executions.Asked.Count));
    }

    [Fact]
    public void Switching_auto_refresh_off_stops_live_reloads()
    {
        var page = RenderWithPopovers<ExecutionsPage>();
        page.Find("input[data-testid=auto-refresh]").Change(false);
        var before = _executions.Asked.Count;

        Changes.Publish(ReadModelChangeKind.Executions);
        Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(before, _executions.Asked.Count);
    }

    [Fact]
    public void The_overview_counts_failures_by_workflow_and_reason_and_links_to_the_list()
    {
        _overview.Data = new OverviewData(
            [new("batch-job", StopReasonClass.OutOfMemory, 2), new("callback-job", StopReasonClass.ApplicationExit, 1)],
            [Row("backfill-1", ExecutionStatus.RUNNING)],
            [new RecentRedrive(Arn, "sync-inventory-1", "batch-job", 1, Now.AddMinutes(-3), ExecutionStatus.FAILED)],
            Succeeded24h: 7,
            Failed24h: 3,
            Now.AddHours(-24));

        var page = RenderWithPopovers<OverviewPage>();

        Assert.Equal("1", page.Find("[data-testid=running-count]").TextContent);
        Assert.Equal("3", page.Find("[data-testid=failed-count]").TextContent);
        var failures = page.FindAll("[data-testid=failures] tbody tr");
        Assert.Equal(2, failures.Count);
        Assert.Equal("/executions?workflow=batch-job&status=FAILED&reason=OutOfMemory&range=24h", failures[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.NotNull(page.Find(".failure-chart svg"));
        Assert.Contains("sync-inventory-1", page.Find("[data-testid=redrives]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stopped_tasks_page_filters_from_the_url_and_links_each_task_to_its_execution()
    {
        _stopped.Page = new StoppedTaskPage(
            [new("arn:aws:ecs:us-east-1:123456789012:task/c/abc123", "batchops-worker", "EssentialContainerExited", 137, "Essential container in task exited", "OutOfMemoryError: Container killed due to memory usage", Now.AddMinutes(-2), StopReasonClass.OutOfMemory, false, "AWS Step Functions", Arn, "sync-inventory-1", "Run worker", 1)],
            1, 1, 1, ["batchops-worker"]);
        Navigation.NavigateTo("/stopped-tasks?reason=OutOfMemory&exit=137&family=batchops-worker");

        var page = RenderWithPopovers<StoppedTasksPage>();

        Assert.Equal((StopReasonClass.OutOfMemory, 137, "batchops-worker"), (_stopped.Asked[^1].Reason, _stopped.Asked[^1].ExitCode!.Value, _stopped.Asked[^1].Family));
        var row = Assert.Single(page.FindAll("[data-testid=stopped-tasks] tbody tr"));
        Assert.Equal("abc123", row.QuerySelector("[data-task]")!.TextContent);
        Assert.Equal("/executions/" + Uri.EscapeDataString(Arn), row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("OutOfMemoryError", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_that_is_not_an_execution_arn_says_so_and_asks_aws_nothing()
    {
        var page = RenderDetail("not-an-arn");

        Assert.Contains("is not a Step Functions execution ARN", page.Find("[data-testid=not-found]").TextContent, StringComparison.Ordinal);
        Assert.Empty(_refresher.Refreshed);
    }

    [Fact]
    public void The_detail_page_shows_the_read_model_at_once_then_refreshes_from_aws()
    {
        _details.Details[Arn] = Detail(Arn, "sync-inventory-1");
        _refresher.Gate = new TaskCompletionSource();

        var page = RenderDetail(Arn);

        Assert.Contains("sync-inventory-1", page.Find("h1").TextContent, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Contains("Refreshing from AWS", page.Find("[data-testid=refresh-state]").TextContent, StringComparison.Ordinal));
        _refresher.Gate.SetResult();
        page.WaitForAssertion(() => Assert.Contains("History fetched", page.Find("[data-testid=refresh-state]").TextContent, StringComparison.Ordinal));
        Assert.Equal([Arn], _refresher.Refreshed);
    }

    [Fact]
    public void Following_a_link_to_another_execution_resets_the_page_and_refreshes_that_one_without_the_old_error()
    {
        var other = Arn.Replace("sync-inventory-1", "sync-inventory-1-rerun-1", StringComparison.Ordinal);
        _details.Details[Arn] = Detail(Arn, "sync-inventory-1");
        _details.Details[other] = Detail(other, "sync-inventory-1-rerun-1");
        _refresher.Failure = new HttpRequestException("connection refused");
        var page = RenderDetail(Arn);
        page.WaitForAssertion(() => Assert.Contains("connection refused", page.Find("[data-testid=refresh-error]").TextContent, StringComparison.Ordinal));

        _refresher.Failure = null;
        page.Render(p => p.Add(c => c.Arn, other));

        page.WaitForAssertion(() => Assert.Equal([Arn, other], _refresher.Refreshed));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=refresh-error]")));
        Assert.Contains("sync-inventory-1-rerun-1", page.Find("h1").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_retry_timeline_orders_attempts_redrives_and_reruns_and_shows_why_each_attempt_stopped()
    {
        var detail = Detail(Arn, "sync-inventory-1");

        var timeline = Render<RetryTimelineView>(p => p.Add(c => c.Items, RetryTimeline.Build(detail)));

        var items = timeline.FindAll("ol.timeline > li");
        Assert.Equal(["attempt", "attempt", "redrive", "attempt", "rerun"], items.Select(i => i.GetAttribute("data-testid")));
        Assert.Equal("2", items[0].QuerySelector("[data-testid=exit-code]")!.TextContent);
        Assert.Contains("then waited 10 s before attempt 2", items[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("CannotPullContainerError", items[1].QuerySelector("[data-testid=stopped-reason]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("after redrive 1", items[3].TextContent, StringComparison.Ordinal);
        Assert.Contains("sync-inventory-1-rerun-1", items[4].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ecs_task_list_links_each_task_to_its_output_and_explains_its_stop()
    {
        var viewModel = Services.GetRequiredService<ExecutionDetailViewModel>();
        _details.Details[Arn] = Detail(Arn, "sync-inventory-1");
        await viewModel.LoadAsync(Arn, CancellationToken.None);

        var list = RenderWithPopovers<EcsTaskList>(p => p.Add(c => c.Tasks, viewModel.EcsTasks).Add(c => c.HistoryFetched, true));

        var rows = list.FindAll("[data-testid=ecs-tasks] tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Equal("/sandbox/task-logs?task=" + Uri.EscapeDataString("arn:aws:ecs:us-east-1:123456789012:task/c/t1"), rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Application exit · retryable", rows[0].QuerySelector("[data-reason]")!.TextContent.Trim());
    }

    [Fact]
    public void The_event_history_filters_by_type_or_state_and_renders_only_rows_on_screen()
    {
        var events = Enumerable.Range(1, 5000).Select(i => new HistoryEventModel(i, Now, i % 2 == 0 ? "TaskFailed" : "TaskScheduled", i % 10 == 0 ? "Export" : "Run worker", null)).ToList();

        var history = Render<EventHistory>(p => p.Add(c => c.Events, events));

        Assert.Equal("5000 of 5000 events", history.Find("[data-testid=event-count]").TextContent);
        Assert.True(history.FindAll("[data-testid=events] tbody tr").Count < 200, "the table is virtualized");
        history.Find("input").Input("export");
        Clock.Advance(TimeSpan.FromMilliseconds(250));
        history.WaitForAssertion(() => Assert.Equal("500 of 5000 events", history.Find("[data-testid=event-count]").TextContent));
    }

    [Fact]
    public async Task A_fan_out_of_thousands_of_tasks_renders_only_the_attempts_and_tasks_on_screen()
    {
        var viewModel = Services.GetRequiredService<ExecutionDetailViewModel>();
        var detail = Detail(Arn, "fan-out-1");
        var runs = Enumerable.Range(1, 3000).Select(i => new TaskRunRecord
        {
            Id = 1000 + i,
            ExecutionArn = Arn,
            StateName = "Run worker",
            Attempt = 1,
            ResourceType = "ecs",
            Resource = "arn:aws:states:::ecs:runTask.sync",
            ScheduledAt = Now.AddMinutes(-20).AddSeconds(i),
            EndedAt = Now.AddMinutes(-19).AddSeconds(i),
            Outcome = TaskRunOutcome.Succeeded,
            TaskArn = $"arn:aws:ecs:us-east-1:123456789012:task/c/fan-{i}",
            ExitCode = 0,
        }).ToList();
        _details.Details[Arn] = detail with { TaskRuns = runs };
        await viewModel.LoadAsync(Arn, CancellationToken.None);
        Assert.Equal(3000, viewModel.Timeline.Count(t => t.Kind == TimelineItemKind.Attempt));

        var timeline = Render<RetryTimelineView>(p => p.Add(c => c.Items, viewModel.Timeline));
        var tasks = RenderWithPopovers<EcsTaskList>(p => p.Add(c => c.Tasks, viewModel.EcsTasks).Add(c => c.HistoryFetched, true));

        Assert.StartsWith($"{viewModel.Timeline.Count:N0} entries", timeline.Find("[data-testid=timeline-count]").TextContent, StringComparison.Ordinal);
        Assert.True(timeline.FindAll("li[data-testid=attempt]").Count < 200, $"the retry history is virtualized, but {timeline.FindAll("li[data-testid=attempt]").Count} attempts are rendered");
        Assert.Equal("3,000 tasks; scroll the table to see them all.", tasks.Find("[data-testid=ecs-task-count]").TextContent.Trim());
        Assert.True(tasks.FindAll("[data-testid=ecs-tasks] tbody tr").Count < 200, "the ECS task table is virtualized");
    }

    [Fact]
    public void Input_and_output_say_what_is_missing_while_an_execution_runs()
    {
        var io = Render<ExecutionInputOutput>(p => p.Add(c => c.Input, """{"commands":["sleep","3600"]}""").Add(c => c.Running, true));

        Assert.Contains("Running: no output yet.", io.Markup, StringComparison.Ordinal);
        Assert.NotNull(io.Find("[data-testid=json-Input]"));
    }

    [Fact]
    public void The_summary_shows_redrives_lineage_error_and_says_why_there_is_no_console_link()
    {
        var parent = new LinkedExecution("arn:aws:states:us-east-1:123456789012:execution:nightly-batch:nightly-1", "nightly-1", "nightly-batch", ExecutionStatus.FAILED, Now.AddHours(-1));
        var original = new LinkedExecution("arn:aws:states:us-east-1:123456789012:execution:batch-job:sync-0", "sync-0", "batch-job", ExecutionStatus.FAILED, Now.AddHours(-2));
        var summary = new ExecutionSummaryModel(Arn, "sync-inventory-1", "batch-job", ExecutionStatus.FAILED, Now.AddMinutes(-20), Now.AddMinutes(-15), 2, Now.AddMinutes(-16),
            ExecutionRedriveStatus.REDRIVABLE, 3, 4, "States.TaskFailed", """{"exit":2}""", original, parent, Now.AddMinutes(-1), ConsoleUrl: null);

        var view = RenderWithPopovers<ExecutionSummary>(p => p.Add(c => c.Summary, summary).Add(c => c.RefreshError, "ThrottlingException"));

        Assert.Equal("sync-inventory-1", view.Find("h1").TextContent);
        Assert.Contains("redriven ×2", view.Markup, StringComparison.Ordinal);
        Assert.Contains("REDRIVABLE", view.Markup, StringComparison.Ordinal);
        Assert.Equal("5 min 0 s", view.Find("[data-testid=duration]").TextContent);
        Assert.Equal("States.TaskFailed", view.Find("[data-testid=execution-error]").TextContent);
        var links = view.FindAll("dd a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains(DashboardUrls.Execution(original.Arn), links);
        Assert.Contains(DashboardUrls.Execution(parent.Arn), links);
        Assert.Contains("not available in sandbox mode", view.Markup, StringComparison.Ordinal);
        Assert.StartsWith("Could not refresh from AWS (ThrottlingException)", view.Find("[data-testid=refresh-error]").TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_running_execution_counts_its_duration_so_far_and_links_to_the_console_in_aws_mode()
    {
        var summary = new ExecutionSummaryModel(Arn, "sync-inventory-1", "batch-job", ExecutionStatus.RUNNING, Now.AddSeconds(-90), null, 0, null, null, 1, 1, null, null, null, null, null,
            "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/" + Uri.EscapeDataString(Arn));

        var view = RenderWithPopovers<ExecutionSummary>(p => p.Add(c => c.Summary, summary).Add(c => c.Refreshing, true));

        Assert.Equal("1 min 30 s so far", view.Find("[data-testid=duration]").TextContent);
        Assert.Contains("never redriven", view.Markup, StringComparison.Ordinal);
        Assert.Contains("Running: no error yet.", view.Markup, StringComparison.Ordinal);
        Assert.Contains("Refreshing from AWS", view.Find("[data-testid=refresh-state]").TextContent, StringComparison.Ordinal);
        var console = view.Find("a[target=_blank]");
        Assert.StartsWith("https://us-east-1.console.aws.amazon.com/", console.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal("noopener noreferrer", console.GetAttribute("rel"));
    }

    [Fact]
    public void The_not_found_page_leads_back_to_the_overview()
    {
        var page = Render<NotFoundPage>();

        Assert.Equal("Not found", page.Find("h1").TextContent);
        Assert.Equal("/", page.Find("a").GetAttribute("href"));
    }

    private IRenderedComponent<ExecutionDetailPage> RenderDetail(string arn) => RenderWithPopovers<ExecutionDetailPage>(p => p.Add(c => c.Arn, arn));

    /// <summary>A batch job that failed twice (exit 2, then an image pull), was redriven, failed again, and was re-run.</summary>
    private ExecutionDetail Detail(string arn, string name)
    {
        var start = Now.AddMinutes(-20);
        var execution = new ExecutionRecord { Arn = arn, StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:batch-job", StateMachineName = "batch-job", Name = name, Status = ExecutionStatus.FAILED, StartDate = start, StopDate = start.AddMinutes(5), RedriveCount = 1, RedriveStatus = ExecutionRedriveStatus.REDRIVABLE, Error = "States.TaskFailed", EcsTaskCount = 3 };
        TaskRunRecord Run(int attempt, int redrive, DateTimeOffset at, string task, int? exit, string stopCode, string reason, StopReasonClass reasonClass, double? delay) => new()
        {
            ExecutionArn = arn, StateName = "Run worker", Attempt = attempt, RedriveCount = redrive, ResourceType = "ecs", Resource = "runTask.sync", ScheduledAt = at, EndedAt = at.AddSeconds(20),
            Outcome = TaskRunOutcome.Failed, Error = "States.TaskFailed", TaskArn = $"arn:aws:ecs:us-east-1:123456789012:task/c/{task}", ExitCode = exit, StopCode = stopCode, StoppedReason = reason,
            ReasonClass = reasonClass, Retryable = true, DelayBeforeNextSeconds = delay,
        };
        var runs = new List<TaskRunRecord>
        {
            Run(1, 0, start, "t1", 2, "EssentialContainerExited", "Essential container in task exited", StopReasonClass.ApplicationExit, 10),
            Run(2, 0, start.AddSeconds(30), "t2", null, "TaskFailedToStart", "CannotPullContainerError: not found", StopReasonClass.ImagePull, null),
            Run(3, 1, start.AddMinutes(3), "t3", 2, "EssentialContainerExited", "Essential container in task exited", StopReasonClass.ApplicationExit, null),
        };
        var rerun = new LinkedExecution(arn + "-rerun-1", name + "-rerun-1", "batch-job", ExecutionStatus.SUCCEEDED, start.AddMinutes(10));
        return new ExecutionDetail(execution, runs, [new RedriveRecord { ExecutionArn = arn, RedriveCount = 1, RedrivenAt = start.AddMinutes(2) }], new Dictionary<string, StoppedTaskRecord>(), null, [rerun], null, [], [], start.AddMinutes(6));
    }
}
