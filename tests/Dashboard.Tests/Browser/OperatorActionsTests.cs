using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.TestSupport;
using Microsoft.Playwright;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>What an on-call operator does in the browser, on the sandbox: redrive, re-run, resume, stop, rescue.</summary>
[Collection(OperatorActionsCollection.Name)]
public sealed class OperatorActionsTests(OperatorActionsFixture fixture)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    [Fact]
    public async Task A_failed_batch_job_redriven_after_its_fault_is_cleared_resumes_from_the_failed_state_and_succeeds()
    {
        // Every attempt fails to pull the image: the last attempt fails at the task.
        await fixture.InjectEcsFaultAsync("CannotPullContainer", 10);
        var arn = await fixture.StartAsync("batch-job", Unique("import"), """{"commands":["echo","after the fault"],"environment":[]}""");
        await fixture.WaitForStatusAsync(arn, ExecutionStatus.FAILED, TimeSpan.FromSeconds(120));
        await fixture.ClearEcsFaultsAsync();
        var page = await RedriveFromItsPageAsync(arn);

        await Assertions.Expect(page.Locator("[data-testid=operation-notice]")).ToHaveAttributeAsync("data-kind", "Done");
        await Assertions.Expect(page.Locator("[data-testid=execution-status]")).ToHaveAttributeAsync("data-value", ExecutionStatus.SUCCEEDED, new() { Timeout = 60_000 });
        var events = (await fixture.Sfn.GetExecutionHistoryAsync(new() { ExecutionArn = arn, MaxResults = 1000 })).Events;
        var afterRedrive = events.SkipWhile(e => e.Type != "ExecutionRedriven").ToList();
        Assert.Equal("Run worker (last attempt)", afterRedrive.First(e => e.Type == "TaskStateEntered").StateEnteredEventDetails!.Name);
        Assert.DoesNotContain(afterRedrive, e => e.StateEnteredEventDetails?.Name == "Prepare");
        await Assertions.Expect(page.Locator("[data-testid=execution-operations]")).ToContainTextAsync("Redrive");
    }

    [Fact]
    public async Task A_rerun_with_a_changed_command_and_an_added_variable_reaches_the_worker_exactly()
    {
        var arn = await fixture.StartAsync("batch-job", Unique("report"), """{"commands":["echo","first","run"],"environment":[{"Name":"ECHO_ENV","Value":"DRY_RUN"}]}""");
        await fixture.WaitForStatusAsync(arn, ExecutionStatus.SUCCEEDED);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url(Navigation.DashboardUrls.Execution(arn)));
        await Pages.WaitInteractiveAsync(page);

        await page.Locator("[data-testid=rerun]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=input-editor]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=arg-1]").FillAsync("second");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove argument 3" }).ClickAsync();
        await page.Locator("[data-testid=add-env]").ClickAsync();
        await page.Locator("[data-testid=env-name-1]").FillAsync("DRY_RUN");
        await page.Locator("[data-testid=env-value-1]").FillAsync("1");
        var diff = page.Locator("[data-testid=input-diff]");
        await Assertions.Expect(diff.Locator("[data-diff='+']").Filter(new() { HasText = "second" })).ToBeVisibleAsync();
        await Assertions.Expect(diff.Locator("[data-diff='-']").Filter(new() { HasText = "first" })).ToBeVisibleAsync();
        await Assertions.Expect(diff.Locator("[data-diff='+']").Filter(new() { HasText = "DRY_RUN" })).ToHaveCountAsync(1);
        await page.Locator("[data-testid=submit-rerun]").ClickAsync();

        // The re-run's own page: linked back to the original, and the worker got exactly the new arguments and variable.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("rerun-1$"), new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=execution-status]")).ToHaveAttributeAsync("data-value", ExecutionStatus.SUCCEEDED, new() { Timeout = 60_000 });
        var rerunArn = Uri.UnescapeDataString(new Uri(page.Url).Segments[^1]);
        var output = JsonNode.Parse((await fixture.Sfn.DescribeExecutionAsync(new() { ExecutionArn = rerunArn })).Output!)!["task"]!;
        var logsLink = page.Locator("[data-testid=ecs-tasks] a").Filter(new() { HasText = "worker output" }).First;
        var logsUrl = new Uri(new Uri(page.Url), await logsLink.GetAttributeAsync("href") ?? throw new InvalidOperationException("The worker output link has no href."));
        var logs = await (await page.APIRequest.GetAsync(logsUrl.ToString())).TextAsync();
        // The worker logs JSON lines; its echo job prints the arguments it got and the variables ECHO_ENV names.
        var messages = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)?["message"]?.GetValue<string>()).ToList();
        Assert.Contains("""echo second {"DRY_RUN":"1"}""", messages);
        Assert.Equal(["echo", "second"], output["Overrides"]!["ContainerOverrides"]![0]!["Command"]!.AsArray().Select(c => c!.GetValue<string>()));
        await Assertions.Expect(page.Locator("dt:has-text('Re-run of') + dd a")).ToHaveAttributeAsync("href", Navigation.DashboardUrls.Execution(arn));
    }

    [Fact]
    public async Task Starting_orchestrator_from_a_middle_step_runs_only_the_steps_from_there()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url("/start?workflow=orchestrator"));
        await Pages.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=workflow-kind]")).ToContainTextAsync("resume from");

        await page.Locator("[data-testid=arg-0]").FillAsync("echo");
        await Pages.ChooseAsync(page, "resume-from", "Transform");
        var name = Unique("resume");
        await page.Locator("[data-testid=execution-name]").FillAsync(name);
        await Assertions.Expect(page.Locator("[data-testid=input-preview]")).ToContainTextAsync("\"resumeFrom\": \"Transform\"");
        await page.Locator("[data-testid=submit-start]").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(name + "$"), new() { Timeout = 20_000 });
        var arn = Uri.UnescapeDataString(new Uri(page.Url).Segments[^1]);
        await fixture.WaitForStatusAsync(arn, ExecutionStatus.SUCCEEDED);
        var children = (await fixture.Sfn.ListExecutionsAsync(new() { StateMachineArn = await fixture.MachineAsync("batch-job"), MaxResults = 1000 })).Executions
            .Where(e => e.Name!.StartsWith(name + "-", StringComparison.Ordinal)).Select(e => e.Name![(name.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["report-r0", "transform-r0"], children);
    }

    [Fact]
    public async Task A_failed_nightly_batch_redriven_succeeds_with_new_child_executions()
    {
        await fixture.InjectEcsFaultAsync("OutOfMemory", 1);
        var name = Unique("nightly");
        var arn = await fixture.StartAsync("nightly-batch", name, """{"commands":["echo","final"],"environment":[]}""");
        await fixture.WaitForStatusAsync(arn, ExecutionStatus.FAILED, TimeSpan.FromSeconds(120));
        var page = await RedriveFromItsPageAsync(arn);

        await Assertions.Expect(page.Locator("[data-testid=execution-status]")).ToHaveAttributeAsync("data-value", ExecutionStatus.SUCCEEDED, new() { Timeout = 90_000 });
        var children = (await fixture.Sfn.ListExecutionsAsync(new() { StateMachineArn = await fixture.MachineAsync("batch-job"), MaxResults = 1000 })).Executions
            .Where(e => e.Name!.StartsWith(name + "-", StringComparison.Ordinal)).ToList();
        Assert.Contains(children, c => c.Name!.EndsWith("-final-r1", StringComparison.Ordinal) && c.Status == ExecutionStatus.SUCCEEDED);
        Assert.All(children.Where(c => c.Name!.EndsWith("-r1", StringComparison.Ordinal)), c => Assert.Equal(ExecutionStatus.SUCCEEDED, c.Status));
    }

    [Fact]
    public async Task Stopping_a_running_execution_records_the_operators_error_and_shows_the_task_it_stopped()
    {
        var arn = await fixture.StartAsync("batch-job", Unique("long"), """{"commands":["sleep","3600"],"environment":[]}""");
        await fixture.WaitForStatusAsync(arn, ExecutionStatus.RUNNING);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url(Navigation.DashboardUrls.Execution(arn)));
        await Pages.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=ecs-tasks] tbody tr")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        await page.Locator("[data-testid=stop]").ClickAsync();
        await page.Locator("[data-testid=stop-cause]").FillAsync("wrong business date");
        await page.Locator("[data-testid=confirm-stop]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=operation-notice]")).ToHaveAttributeAsync("data-kind", "Done");
        await Assertions.Expect(page.Locator("[data-testid=execution-status]")).ToHaveAttributeAsync("data-value", ExecutionStatus.ABORTED, new() { Timeout = 30_000 });
        var described = await fixture.Sfn.DescribeExecutionAsync(new() { ExecutionArn = arn });
        Assert.Equal("Operator.Stopped", described.Error);
        Assert.Equal("wrong business date", described.Cause);
        await Assertions.Expect(page.Locator("[data-testid=ecs-tasks] tbody tr").First).ToContainTextAsync("UserInitiated", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task An_admin_answers_the_callback_of_a_callback_job_whose_worker_was_killed()
    {
        var arn = await fixture.StartAsync("callback-job", Unique("settle"), """{"commands":["sleep","3599"],"environment":[]}""");
        var worker = await Eventually.PollAsync(
            "the callback job's worker process",
            () => ProcessTree.Descendants(fixture.Dashboard.Process.Id).FirstOrDefault(p => p.CommandLine.Contains("BatchOps.Worker.dll sleep 3599", StringComparison.Ordinal)),
            p => p is not null,
            TimeSpan.FromSeconds(30));
        ProcessTree.Kill(worker!.Id, 9);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url(Navigation.DashboardUrls.Execution(arn)));
        await Pages.WaitInteractiveAsync(page);

        await page.Locator("[data-testid=rescue]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=callback-state]")).ToContainTextAsync("has stopped", new() { Timeout = 20_000 });
        await page.Locator("[data-testid=callback-output]").FillAsync("""{"rescued":true}""");
        await page.Locator("[data-testid=confirm-callback]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=operation-notice]")).ToHaveAttributeAsync("data-kind", "Done");
        var done = await fixture.WaitForStatusAsync(arn, ExecutionStatus.SUCCEEDED, TimeSpan.FromSeconds(30));
        Assert.Equal("""{"rescued":true}""", done.Output);
    }

    [Fact]
    public async Task An_invalid_variable_name_and_an_oversize_input_are_refused_at_the_field_and_start_nothing()
    {
        var batchJob = await fixture.MachineAsync("batch-job");
        var before = (await fixture.Sfn.ListExecutionsAsync(new() { StateMachineArn = batchJob, MaxResults = 1000 })).Executions.Count;
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url("/start?workflow=batch-job"));
        await Pages.WaitInteractiveAsync(page);

        await page.Locator("[data-testid=arg-0]").FillAsync("echo");
        await page.Locator("[data-testid=add-env]").ClickAsync();
        await page.Locator("[data-testid=env-name-0]").FillAsync("2FAST");
        await Assertions.Expect(page.Locator("[data-testid=env-editor]")).ToContainTextAsync("'2FAST' is not a valid variable name");
        await Assertions.Expect(page.Locator("[data-testid=submit-start]")).ToBeDisabledAsync();

        await page.Locator("[data-testid=env-name-0]").FillAsync("PAYLOAD");
        await page.Locator("[data-testid=env-value-0]").FillAsync(new string('x', 300 * 1024));
        await Assertions.Expect(page.Locator("[data-testid=input-editor], [data-testid=env-editor]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Step Functions accepts at most 262,144", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-testid=submit-start]")).ToBeDisabledAsync();

        Assert.Equal(before, (await fixture.Sfn.ListExecutionsAsync(new() { StateMachineArn = batchJob, MaxResults = 1000 })).Executions.Count);
    }

    /// <summary>Opens the execution's page and clicks Redrive once the button is enabled (AWS says it is redrivable).</summary>
    private async Task<Microsoft.Playwright.IPage> RedriveFromItsPageAsync(string arn)
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.Url(Navigation.DashboardUrls.Execution(arn)));
        await Pages.WaitInteractiveAsync(page);
        var redrive = page.Locator("[data-testid=redrive-action]");
        await Assertions.Expect(redrive).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await redrive.ClickAsync();
        return page;
    }
}
