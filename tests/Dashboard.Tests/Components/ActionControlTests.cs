using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Dashboard.Features.Executions.Actions;
using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.ReadModel;
using Bunit;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The building blocks of the action pages: the input editor, the input diff and the outcome notice.</summary>
public sealed class ActionControlTests : ComponentTest
{
    [Fact]
    public void The_input_editor_adds_moves_and_removes_arguments_in_order_and_says_each_edit()
    {
        var form = WorkflowInputForm.From(new WorkflowInput { Commands = ["echo", "a", "b"], Environment = [] });
        var edits = 0;
        var editor = RenderWithPopovers<WorkflowInputEditor>(p => p.Add(c => c.Form, form).Add(c => c.Changed, () => edits++));

        editor.Find("[aria-label='Move argument 3 up']").Click();
        Assert.Equal(["echo", "b", "a"], form.CommandList);
        editor.Find("[aria-label='Remove argument 1']").Click();
        Assert.Equal(["b", "a"], form.CommandList);
        editor.Find("[data-testid=add-arg]").Click();
        editor.Find("input[data-testid=arg-2]").Input("--dry-run");

        Assert.Equal(["b", "a", "--dry-run"], form.CommandList);
        Assert.Equal(4, edits);
        Assert.True(editor.Find("[aria-label='Move argument 1 up']").HasAttribute("disabled"));
        Assert.True(editor.Find("[aria-label='Move argument 3 down']").HasAttribute("disabled"));
    }

    [Fact]
    public void The_input_editor_shows_the_services_errors_at_the_field_they_belong_to()
    {
        var form = WorkflowInputForm.From(new WorkflowInput { Commands = ["echo"], Environment = [new("1BAD", "x"), new("GOOD", "y")] });
        var errors = new Dictionary<string, string[]>
        {
            ["environment[0].name"] = ["'1BAD' is not a variable name: letters, digits and _, not starting with a digit."],
            ["commands"] = ["At most 100 arguments."],
        };

        var editor = RenderWithPopovers<WorkflowInputEditor>(p => p.Add(c => c.Form, form).Add(c => c.Errors, errors));

        var helpers = editor.FindAll(".env-name").Select(f => f.QuerySelector(".mud-input-helper-text")?.TextContent.Trim() ?? "").ToList();
        Assert.Equal(["'1BAD' is not a variable name: letters, digits and _, not starting with a digit.", ""], helpers);
        Assert.Equal("At most 100 arguments.", editor.Find("[data-testid=error-commands]").TextContent);
    }

    [Fact]
    public void The_input_editor_offers_resume_steps_only_for_a_workflow_that_has_them()
    {
        var form = new WorkflowInputForm();
        Assert.Empty(RenderWithPopovers<WorkflowInputEditor>(p => p.Add(c => c.Form, form)).FindAll("[data-testid=resume-from]"));

        var editor = RenderWithPopovers<WorkflowInputEditor>(p => p.Add(c => c.Form, form).Add(c => c.ResumeSteps, ["Extract", "Transform"]));
        editor.Find("[data-testid=resume-from]").MouseDown();
        var options = Popovers!.FindAll("[role=option]").Select(i => i.TextContent.Trim()).ToList();

        Assert.Equal(["The beginning", "Extract", "Transform"], options);
    }

    [Fact]
    public void The_form_reads_what_it_can_and_writes_exactly_the_contract()
    {
        var form = WorkflowInputForm.Parse("""{"commands":["echo","x y"],"environment":[{"Name":"A","Value":"1"}],"extra":true}""");
        form.ResumeFrom = "";

        Assert.Equal("""{"commands":["echo","x y"],"environment":[{"Name":"A","Value":"1"}]}""", form.ToJson());
        Assert.Empty(WorkflowInputForm.Parse("{not json").Commands);
        Assert.Empty(WorkflowInputForm.Parse("[1,2]").Commands);
    }

    [Fact]
    public void The_diff_marks_changed_lines_and_ignores_a_comma_that_only_moved()
    {
        var lines = JsonDiff.Lines("""{"commands":["echo","first"],"environment":[]}""", """{"commands":["echo","first","more"],"environment":[]}""");

        Assert.Equal(["  \"echo\"", "  \"first\"", "+ \"more\""], lines.Where(l => l.Text.Contains('"', StringComparison.Ordinal) && l.Text.Trim().StartsWith('"') && !l.Text.Contains(':', StringComparison.Ordinal))
            .Select(l => $"{l.Kind} {l.Text.Trim().TrimEnd(',')}"));
        Assert.Single(lines, l => l.Kind != ' ');
    }

    [Fact]
    public void The_diff_of_two_large_unrelated_inputs_stays_bounded()
    {
        var before = "[" + string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"a{i}\"")) + "]";
        var after = "[" + string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"b{i}\"")) + "]";

        var lines = JsonDiff.Lines(before, after);

        Assert.Equal(3000, lines.Count(l => l.Kind == '-'));
        Assert.Equal(3000, lines.Count(l => l.Kind == '+'));
    }

    [Fact]
    public void The_diff_view_shows_removed_and_added_lines_as_text()
    {
        var view = Render<JsonDiffView>(p => p.Add(c => c.Before, """{"cmd":"<b>old</b>"}""").Add(c => c.After, """{"cmd":"new"}"""));

        Assert.Contains("<b>old</b>", view.Find("[data-diff='-']").TextContent, StringComparison.Ordinal);
        Assert.Empty(view.FindAll("[data-diff='-'] b"));
        Assert.Contains("\"new\"", view.Find("[data-diff='+']").TextContent, StringComparison.Ordinal);
        Assert.Empty(view.FindAll(".muted"));

        var same = Render<JsonDiffView>(p => p.Add(c => c.Before, "{\"a\":1}").Add(c => c.After, "{ \"a\": 1 }"));
        Assert.Equal("No change from the original input.", same.Find(".muted").TextContent);
    }

    [Fact]
    public void The_notice_links_the_operation_and_says_what_AWS_answered()
    {
        var op = Operation(OperationStatus.Succeeded) with { ResultArn = "arn:aws:states:us-east-1:123456789012:execution:batch-job:run-1", Result = "started run-1", AwsRequestId = "req-123" };

        var notice = Render<OperationNotice>(p => p.Add(c => c.Result, new OperationResult(OperationResultKind.Done, op)));

        var text = System.Text.RegularExpressions.Regex.Replace(notice.Find("[data-testid=operation-notice]").TextContent, @"\s+", " ").Trim();
        Assert.StartsWith("Done: started run-1. operation 7 · run-1", text, StringComparison.Ordinal);
        Assert.EndsWith("AWS request id req-123", text, StringComparison.Ordinal);
        Assert.Equal("/operations/7", notice.Find("[data-testid=operation-link]").GetAttribute("href"));
        Assert.Contains("mud-alert-text-success", notice.Find("[data-testid=operation-notice]").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void The_notice_says_why_nothing_was_done_when_the_target_does_not_allow_it()
    {
        var notice = Render<OperationNotice>(p => p.Add(c => c.Result, new OperationResult(OperationResultKind.Conflict, Message: "run-1 is RUNNING: only a failed, timed out or aborted execution can be redriven.")));

        Assert.Equal("run-1 is RUNNING: only a failed, timed out or aborted execution can be redriven.", notice.Find("[data-testid=operation-notice] span").TextContent);
        Assert.Empty(notice.FindAll("[data-testid=operation-link]"));
        Assert.Contains("mud-alert-text-error", notice.Find("[data-testid=operation-notice]").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void Redrive_is_refused_with_AWS_reason_or_because_the_run_ended_in_a_Fail_state()
    {
        var notRedrivable = Summary(ExecutionStatus.FAILED, ExecutionRedriveStatus.NOT_REDRIVABLE, reason: "Execution is FAILED and has been redriven 1000 times.");
        var failState = Summary(ExecutionStatus.FAILED, ExecutionRedriveStatus.REDRIVABLE, failState: "Failed");
        var redrivable = Summary(ExecutionStatus.TIMED_OUT, ExecutionRedriveStatus.REDRIVABLE);

        Assert.Equal((false, "Execution is FAILED and has been redriven 1000 times."), (notRedrivable.Redrivable, notRedrivable.WhyNotRedrivable));
        Assert.False(failState.Redrivable);
        Assert.Contains("Fail state \u201cFailed\u201d", failState.WhyNotRedrivable, StringComparison.Ordinal);
        Assert.True(redrivable.Redrivable);
    }

    internal static OperationView Operation(OperationStatus status) =>
        new(7, OperationKind.Start, "otto", DateTimeOffset.Parse("2026-11-21T05:59:00Z", System.Globalization.CultureInfo.InvariantCulture), status, "batch-job", null, null, null, 1, null, null, null, null, null, null, null, null, false);

    internal static ExecutionSummaryModel Summary(string status, string? redriveStatus, string? reason = null, string? failState = null) =>
        new("arn:aws:states:us-east-1:123456789012:execution:batch-job:run-1", "run-1", "batch-job", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1), 0, null,
            redriveStatus, 1, 1, "States.TaskFailed", null, null, null, null, null, reason, failState);
}
