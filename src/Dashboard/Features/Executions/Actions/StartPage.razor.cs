using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Executions.Actions;

public sealed partial class StartPage
{
    private IReadOnlyList<WorkflowChoice> workflows = [];
    private string? selected;
    private WorkflowDescription? description;
    private bool notFound;
    private WorkflowInputForm form = NewForm();
    private string json = "{}";
    private string? name;
    private IReadOnlyDictionary<string, string[]>? errors;
    private OperationResult? result;
    private bool submitting;

    /// <summary>One key per visit: a double click, or a resubmit after the connection dropped, starts one execution.</summary>
    private string idempotencyKey = Guid.NewGuid().ToString("N");

    /// <summary>Preselects a workflow (the Executions page's filter, or a link from the Overview).</summary>
    [SupplyParameterFromQuery(Name = "workflow")] public string? Workflow { get; set; }

    [Inject] public required WorkflowCatalog Catalog { get; init; }
    [Inject] public required ExecutionActions Actions { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    private bool HasErrors => errors is { Count: > 0 };

    /// <summary>A fresh form is not yet wrong: its errors show once the operator has edited it (the Start button waits either way).</summary>
    private bool edited;

    private IReadOnlyDictionary<string, string[]>? VisibleErrors => edited ? errors : null;

    private string Input => description?.TakesContractInput == true ? form.ToJson() : json;

    private string Preview => JsonPreview.Pretty(Input);

    protected override async Task OnInitializedAsync()
    {
        workflows = await Catalog.ListAsync(CancellationToken.None);
        if (Workflow is not null)
        {
            await ChooseAsync(Workflow);
        }
    }

    private string? Errors(string field) => VisibleErrors?.GetValueOrDefault(field) is { } e ? string.Join(" ", e) : null;

    private async Task ChooseAsync(string workflow)
    {
        selected = workflow;
        description = await Catalog.DescribeAsync(workflow, CancellationToken.None);
        notFound = description is null;
        form = NewForm();
        json = "{}";
        result = null;
        edited = false;
        Refresh();
    }

    private void Edited()
    {
        edited = true;
        Refresh();
    }

    /// <summary>The same checks the service makes, run as the form changes: the error shows at the field before submitting.</summary>
    private void Refresh()
    {
        if (description is null)
        {
            errors = null;
            return;
        }

        var found = ExecutionActions.ValidateInput(description, Input);
        if (!string.IsNullOrWhiteSpace(name) && OperationValidation.ExecutionName(name, description.MaxExecutionNameLength) is { } nameError)
        {
            found["name"] = [nameError];
        }

        errors = found;
    }

    private async Task SubmitAsync()
    {
        submitting = true;
        try
        {
            result = await Actions.StartAsync(await Operator.GetAsync(), new StartRequest(selected!, Input, string.IsNullOrWhiteSpace(name) ? null : name, idempotencyKey), CancellationToken.None);
            errors = result.Errors;
            edited = true;
            if (result.Succeeded && result.Operation?.ResultArn is { } started)
            {
                Navigation.NavigateTo(DashboardUrls.Execution(started));
            }
            else if (result.Kind is OperationResultKind.Done)
            {
                // AWS refused this one (e.g. a name in use): a corrected submit is a new request.
                idempotencyKey = Guid.NewGuid().ToString("N");
            }
        }
        finally
        {
            submitting = false;
        }
    }

    private static WorkflowInputForm NewForm()
    {
        var form = new WorkflowInputForm();
        form.Commands.Add(new ArgumentRow());
        return form;
    }
}
