using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Executions.Actions;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Operations;
using Bunit;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The action pages with the dashboard's real operation services, the sandbox over HTTP and a SQLite read model.</summary>
public sealed class ActionPageTests : ComponentTest
{
    private OperationsSandbox _aws = null!;

    public ActionPageTests() => SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

    public override async Task InitializeAsync()
    {
        _aws = await OperationsSandbox.StartAsync();
        UseOperationServices(_aws.Harness);
    }

    protected override async Task DisposeFixturesAsync() => await _aws.DisposeAsync();

    private void SignIn(OperationActor actor)
    {
        Authorization.SetAuthorized(actor.Name).SetRoles([.. actor.Roles]);
        // As the server's policies: any role may view, an Operator or Admin operate, an Admin administer.
        var admin = actor.Roles.Contains(BatchOpsRoles.Admin);
        var operate = admin || actor.Roles.Contains(BatchOpsRoles.Operator);
        Authorization.SetPolicies([.. new[] { (BatchOpsPolicies.View, actor.Roles.Count > 0), (BatchOpsPolicies.Operate, operate), (BatchOpsPolicies.Administer, admin) }
            .Where(p => p.Item2).Select(p => p.Item1)]);
    }

    [Fact]
    public async Task Starting_a_contract_workflow_offers_its_router_steps_previews_the_input_and_opens_the_new_execution()
    {
        var machine = await _aws.CreateAsync("contract-start", OperationsSandbox.ContractDefinition, contract: true);
        SignIn(OperationsSandbox.Operator);
        Navigation.NavigateTo("/start?workflow=contract-start");
        var page = RenderWithPopovers<StartPage>();
        page.WaitForElement("[data-testid=input-editor]");
        // A fresh form is not wrong yet: no error before the first edit, though Start waits for a command.
        Assert.Empty(page.FindAll("[data-testid=error-commands]"));
        Assert.True(page.Find("[data-testid=submit-start]").HasAttribute("disabled"));

        page.Find("[data-testid=resume-from]").MouseDown();
        // The list opens in the popover provider, which renders on its own turn: wait for it, not for a fixed time.
        Popovers!.WaitForAssertion(() => Assert.Equal(["The beginning", "Second"], Popovers!.FindAll("[role=option]").Select(o => o.TextContent.Trim())), TimeSpan.FromSeconds(10));
        Popovers!.FindAll("[role=option]").Single(o => o.TextContent.Trim() == "Second").Click();
        page.Find("input[data-testid=arg-0]").Input("echo <hi>");
        page.Find("input[data-testid=execution-name]").Input("from-the-form");
        Assert.Contains("\"echo <hi>\"", page.Find("[data-testid=input-preview]").TextContent, StringComparison.Ordinal);

        page.Find("[data-testid=submit-start]").Click();

        page.WaitForAssertion(() => Assert.EndsWith(DashboardUrls.Execution($"{machine.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:from-the-form"), Navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var started = await _aws.DescribeAsync($"{machine.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:from-the-form");
        Assert.Equal("""{"commands":["echo \u003Chi\u003E"],"environment":[],"resumeFrom":"Second"}""", started.Input);
        var entry = Assert.Single(await _aws.LedgerAsync());
        Assert.Equal((OperationKind.Start, "otto", OperationStatus.Succeeded), (entry.Kind, entry.Actor, entry.Status));
    }

    [Fact]
    public async Task A_viewer_is_shown_no_start_button_and_a_forged_submit_is_refused_by_the_service()
    {
        var machine = await _aws.CreateAsync("contract-viewer", OperationsSandbox.ContractDefinition, contract: true);
        SignIn(OperationsSandbox.Viewer);
        Navigation.NavigateTo("/start?workflow=contract-viewer");

        var page = RenderWithPopovers<StartPage>();

        page.WaitForElement("[data-testid=not-allowed]");
        Assert.Empty(page.FindAll("[data-testid=submit-start]"));
        // The button is only hidden: the service decides, whoever calls it.
        var refused = await _aws.Actions.StartAsync(OperationsSandbox.Viewer, new StartRequest("contract-viewer", """{"commands":["echo"],"environment":[]}"""), CancellationToken.None);
        Assert.Equal(OperationResultKind.Refused, refused.Kind);
        Assert.Equal(0, await _aws.ExecutionCountAsync(machine));
    }

    [Fact]
    public async Task Redriving_from_the_actions_bar_says_what_was_done_and_lists_it_on_the_execution()
    {
        var machine = await _aws.CreateAsync("flaky-bar", OperationsSandbox.FlakyDefinition);
        var arn = await _aws.FailedExecutionAsync(machine, "bar-1");
        SignIn(OperationsSandbox.Operator);
        var summary = ActionControlTests.Summary(ExecutionStatus.FAILED, ExecutionRedriveStatus.REDRIVABLE) with { Arn = arn, Name = "bar-1", Workflow = "flaky-bar" };

        var bar = RenderWithPopovers<ExecutionActionsBar>(p => p.Add(c => c.Summary, summary));
        Assert.Empty(bar.FindAll("[data-testid=rescue]"));
        bar.Find("[data-testid=redrive-action]").Click();

        bar.WaitForAssertion(() => Assert.Equal(nameof(OperationResultKind.Done), bar.Find("[data-testid=operation-notice]").GetAttribute("data-kind")), TimeSpan.FromSeconds(10));
        Assert.Contains("Redrive", bar.Find("[data-testid=execution-operations]").TextContent, StringComparison.Ordinal);
        Assert.Equal(1, (await _aws.DescribeAsync(arn)).RedriveCount);
    }

    [Fact]
    public void A_viewer_sees_why_the_actions_are_missing()
    {
        var summary = ActionControlTests.Summary(ExecutionStatus.RUNNING, null);
        SignIn(OperationsSandbox.Viewer);
        var viewer = RenderWithPopovers<ExecutionActionsBar>(p => p.Add(c => c.Summary, summary));

        Assert.Equal("Redrive, re-run and stop need the Operator role.", viewer.Find("[data-testid=not-allowed]").TextContent);
        Assert.Empty(viewer.FindAll("button"));
    }

    [Fact]
    public async Task The_audit_page_filters_by_who_from_the_url_and_counts_what_it_shows()
    {
        var machine = await _aws.CreateAsync("contract-audit", OperationsSandbox.ContractDefinition, contract: true);
        await _aws.Actions.StartAsync(OperationsSandbox.Operator, new StartRequest("contract-audit", """{"commands":["echo"],"environment":[]}""", "by-otto"), CancellationToken.None);
        await _aws.Actions.StartAsync(OperationsSandbox.Admin, new StartRequest("contract-audit", """{"commands":["echo"],"environment":[]}""", "by-ada"), CancellationToken.None);
        await _aws.Actions.StartAsync(OperationsSandbox.Viewer, new StartRequest("contract-audit", """{"commands":["echo"],"environment":[]}""", "by-vera"), CancellationToken.None);
        SignIn(OperationsSandbox.Viewer);
        Navigation.NavigateTo("/audit?actor=otto");

        var page = RenderWithPopovers<AuditPage>();

        page.WaitForAssertion(() => Assert.Equal("1 operations", page.Find("[data-testid=audit-total]").TextContent));
        var row = Assert.Single(page.FindAll("[data-testid=audit] tbody tr"));
        Assert.Contains("otto", row.TextContent, StringComparison.Ordinal);
        Assert.EndsWith("/audit.csv?actor=otto", page.Find("[data-testid=audit-csv]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal(2, await _aws.ExecutionCountAsync(machine));

        Navigation.NavigateTo("/audit?result=Refused");
        var refused = RenderWithPopovers<AuditPage>();
        refused.WaitForAssertion(() => Assert.Contains("vera", Assert.Single(refused.FindAll("[data-testid=audit] tbody tr")).TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_operation_page_shows_who_asked_what_AWS_answered_and_follows_changes()
    {
        await _aws.CreateAsync("contract-op", OperationsSandbox.ContractDefinition, contract: true);
        var done = await _aws.Actions.StartAsync(OperationsSandbox.Operator, new StartRequest("contract-op", """{"commands":["echo"],"environment":[]}""", "op-page"), CancellationToken.None);
        var op = done.Operation!;
        SignIn(OperationsSandbox.Viewer);

        var page = RenderWithPopovers<OperationPage>(p => p.Add(c => c.Id, op.Id));

        page.WaitForAssertion(() => Assert.Equal("otto", page.Find("[data-testid=actor]").TextContent));
        Assert.EndsWith(":op-page", page.Find("[data-testid=result-execution]").TextContent, StringComparison.Ordinal);
        var missing = RenderWithPopovers<OperationPage>(p => p.Add(c => c.Id, 999_999));
        missing.WaitForAssertion(() => Assert.Equal("There is no operation 999999.", missing.Find("[data-testid=not-found]").TextContent));
    }
}
