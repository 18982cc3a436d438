using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Executions.Actions;

public sealed partial class RerunPage
{
    private RerunSource? source;
    private OperationResult? problem;
    private OperationResult? result;
    private WorkflowInputForm form = new();
    private string? name;
    private RerunPlan? plan;
    private string? loadedArn;
    private IReadOnlyDictionary<string, string[]>? errors;
    private bool submitting;

    /// <summary>One key per visit of the form: a double click or a resubmit after a dropped connection is one re-run.</summary>
    private readonly string idempotencyKey = Guid.NewGuid().ToString("N");

    [Parameter] public required string Arn { get; set; }

    [Inject] public required ExecutionActions Actions { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required BatchOps.Dashboard.Features.Security.SecretRedactor Redactor { get; init; }

    private string? NameError => errors?.GetValueOrDefault("name") is { } e ? string.Join(" ", e) : null;

    protected override async Task OnParametersSetAsync()
    {
        // The form appears once the page is interactive: a prerendered "Add variable" would take a click and do nothing.
        // And only another execution reloads it, so nothing re-setting parameters can wipe the operator's edits.
        if (!RendererInfo.IsInteractive || Arn == loadedArn)
        {
            return;
        }

        loadedArn = Arn;
        (source, problem) = await Actions.LoadRerunAsync(Arn, CancellationToken.None);
        if (source is not null)
        {
            form = source.Workflow.TakesContractInput ? WorkflowInputForm.Parse(source.OriginalInput) : new WorkflowInputForm();
            name = source.SuggestedName;
            Replan();
        }
    }

    private RerunRequest Request() => source!.Workflow.TakesContractInput
        ? new RerunRequest(Arn, form.CommandList, form.EnvironmentList, form.ResumeFrom ?? "", string.IsNullOrWhiteSpace(name) ? null : name, idempotencyKey)
        : new RerunRequest(Arn, Name: string.IsNullOrWhiteSpace(name) ? null : name, IdempotencyKey: idempotencyKey);

    private void Replan()
    {
        var (planned, invalid) = ExecutionActions.PlanRerun(source!, Request(), Redactor);
        plan = planned;
        errors = invalid?.Errors;
    }

    private async Task SubmitAsync()
    {
        submitting = true;
        try
        {
            result = await Actions.RerunAsync(await Operator.GetAsync(), Request(), CancellationToken.None);
            errors = result.Errors;
            if (result.Succeeded && result.Operation?.ResultArn is { } started)
            {
                Navigation.NavigateTo(DashboardUrls.Execution(started));
            }
        }
        finally
        {
            submitting = false;
        }
    }
}
