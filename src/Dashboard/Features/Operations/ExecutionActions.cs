using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>Start a state machine: its name or ARN, the input JSON, an optional execution name and the caller's idempotency key.</summary>
public sealed record StartRequest(string Workflow, string? Input, string? Name = null, string? IdempotencyKey = null);

/// <summary>A new execution from an original's input with these overrides (null keeps the original's).</summary>
public sealed record RerunRequest(string ExecutionArn, IReadOnlyList<string>? Commands = null, IReadOnlyList<EnvironmentVariable>? Environment = null, string? ResumeFrom = null, string? Name = null, string? IdempotencyKey = null);

public sealed record StopRequest(string ExecutionArn, string? Error = null, string? Cause = null);

/// <summary>Answer the task an execution waits on: success with <paramref name="Output"/>, or failure with error and cause.</summary>
public sealed record CallbackRequest(string ExecutionArn, bool Success, string? Output = null, string? Error = null, string? Cause = null);

/// <summary>An execution to re-run, as read from AWS.</summary>
public sealed record RerunSource(string ExecutionArn, string Name, string StateMachineArn, string OriginalInput, WorkflowDescription Workflow, string SuggestedName);

/// <summary>What a re-run would send, for the diff shown before it is submitted.</summary>
public sealed record RerunPlan(string OriginalInput, string Input, string Name, string StateMachineArn, WorkflowDescription Workflow);

/// <summary>Whether an execution waits for a callback nobody is left to send, for the rescue form.</summary>
public sealed record CallbackState(WaitingTask? Waiting, string? TaskStatus, string? Reason)
{
    public bool CanRescue => Waiting is not null && TaskStatus is not ("RUNNING" or "PENDING" or "PROVISIONING" or "ACTIVATING");
}

/// <summary>
/// The operator actions on executions, for the pages and the HTTP API alike: each one authorized here, validated
/// before anything is written, recorded in the ledger, then sent to AWS and completed in the ledger.
/// </summary>
public sealed class ExecutionActions(
    IAmazonStepFunctions stepFunctions,
    WorkflowCatalog workflows,
    OperationLedger ledger,
    OperationRunner runner,
    OperationExecutor executor,
    EcsTaskStatus ecsTasks,
    IDbContextFactory<ReadModelDbContext> contexts,
    TimeProvider time,
    IOptions<OperationOptions> options,
    SecretRedactor redactor)
{
    public async Task<OperationResult> StartAsync(OperationActor actor, StartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        // A refusal is recorded with what was asked, secrets taken out (an unauthorized request is stored too).
        var draftParameters = redactor.Redact(OperationJson.Write(request with { IdempotencyKey = null }))!;
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.Start, request.Workflow, null, draftParameters, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var workflow = string.IsNullOrWhiteSpace(request.Workflow) ? null : await workflows.DescribeAsync(request.Workflow, cancellationToken).ConfigureAwait(false);
        if (workflow is null)
        {
            return string.IsNullOrWhiteSpace(request.Workflow)
                ? OperationResult.Invalid("workflow", "Choose a workflow to start.")
                : OperationResult.NotFound($"There is no state machine {request.Workflow}.");
        }

        var errors = ValidateInput(workflow, request.Input);
        if (!errors.ContainsKey("input") && SecretProblem(redactor.SecretsIn(request.Input), restorable: false) is { } secrets)
        {
            errors["input"] = [secrets];
        }
        else if (!errors.ContainsKey("input") && request.Input!.Contains(SecretRedactor.Marker, StringComparison.Ordinal))
        {
            errors["input"] = [$"{SecretRedactor.Marker} keeps a value only in a re-run (from the original execution); a new start has no original to take it from."];
        }

        if (request.Name is not null && OperationValidation.ExecutionName(request.Name, workflow.MaxExecutionNameLength) is { } nameError)
        {
            errors["name"] = [nameError];
        }

        if (errors.Count > 0)
        {
            return OperationResult.Invalid(errors);
        }

        var input = request.Input!;
        var (key, window) = request.IdempotencyKey is { Length: > 0 } clientKey ? (IdempotencyKeys.Client(actor.Name, clientKey), (TimeSpan?)null)
            : request.Name is { } name ? ($"start {workflow.Arn} {name}", null)
            : (IdempotencyKeys.Content("start", actor.Name, workflow.Arn, input), options.Value.RepeatWindow);
        var executionName = request.Name ?? GeneratedName(actor.Name, key, workflow.MaxExecutionNameLength);
        var parameters = OperationJson.Write(new StartParameters(workflow.Arn, executionName, input));
        var requestHash = IdempotencyKeys.Fingerprint($"{workflow.Arn} {request.Name} {input}");
        return await RecordAndSendAsync(new OperationDraft(OperationKind.Start, actor, workflow.Name, workflow.Arn, parameters, requestHash), IdempotencyKeys.Stored("start", key), window, cancellationToken).ConfigureAwait(false);
    }

    public async Task<OperationResult> RedriveAsync(OperationActor actor, string executionArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var parameters = OperationJson.Write(new RedriveParameters(executionArn, null));
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.Redrive, WorkflowOf(executionArn), executionArn, parameters, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (described, problem) = await DescribeAsync(executionArn, cancellationToken).ConfigureAwait(false);
        if (described is null)
        {
            return problem!;
        }

        var count = described.RedriveCount ?? 0;
        if (described.RedriveStatus != ExecutionRedriveStatus.REDRIVABLE)
        {
            // Asked again after our redrive went through (it is running now): the same operation, not a conflict.
            return count > 0 && await ledger.FindAsync(IdempotencyKeys.Stored("redrive", IdempotencyKeys.Redrive(executionArn, count - 1)), cancellationToken).ConfigureAwait(false) is { } earlier
                ? await RepeatAsync(earlier, cancellationToken).ConfigureAwait(false)
                : OperationResult.Conflict("executionArn", $"{described.Name} cannot be redriven: {described.RedriveStatusReason ?? described.Status}.");
        }

        if (await FailStateCheck.EndedInAsync(stepFunctions, executionArn, cancellationToken).ConfigureAwait(false) is { } failState)
        {
            return OperationResult.Conflict("executionArn", FailStateCheck.Message(described.Name!, failState));
        }

        var draft = new OperationDraft(OperationKind.Redrive, actor, WorkflowOf(executionArn), executionArn, OperationJson.Write(new RedriveParameters(executionArn, count)));
        return await RecordAndSendAsync(draft, IdempotencyKeys.Stored("redrive", IdempotencyKeys.Redrive(executionArn, count)), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The execution a re-run starts from: its input, workflow and the name the re-run gets unless one is given.</summary>
    public async Task<(RerunSource? Source, OperationResult? Problem)> LoadRerunAsync(string executionArn, CancellationToken cancellationToken)
    {
        var (described, problem) = await DescribeAsync(executionArn, cancellationToken).ConfigureAwait(false);
        if (described is null)
        {
            return (null, problem);
        }

        var workflow = await workflows.DescribeAsync(described.StateMachineArn, cancellationToken).ConfigureAwait(false);
        if (workflow is null)
        {
            return (null, OperationResult.NotFound($"The state machine of {described.Name} no longer exists."));
        }

        var name = await RerunNameAsync(described.Name!, described.ExecutionArn, workflow.MaxExecutionNameLength, cancellationToken).ConfigureAwait(false);
        // Secrets stay in AWS: the form, the preview and the ledger see the marker, and the start puts the originals back.
        return (new RerunSource(described.ExecutionArn, described.Name!, described.StateMachineArn, redactor.Redact(described.Input ?? "{}")!, workflow, name), null);
    }

    /// <summary>The re-run's input and name, for the diff before it is submitted; the field errors when the overrides are bad.</summary>
    public async Task<(RerunPlan? Plan, OperationResult? Problem)> PlanRerunAsync(OperationActor actor, RerunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var (source, problem) = await LoadRerunAsync(request.ExecutionArn, cancellationToken).ConfigureAwait(false);
        return source is null ? (null, problem) : PlanRerun(source, request, redactor);
    }

    /// <summary>The original's input with the overrides and the lineage, validated as a start is (no AWS call: the form's preview runs it per edit).</summary>
    public static (RerunPlan? Plan, OperationResult? Problem) PlanRerun(RerunSource source, RerunRequest request, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(redactor);
        var workflow = source.Workflow;
        var original = source.OriginalInput;
        string input;
        if (workflow.TakesContractInput)
        {
            WorkflowInput? originalInput;
            try
            {
                originalInput = JsonSerializer.Deserialize<WorkflowInput>(original);
            }
            catch (JsonException)
            {
                originalInput = null;
            }

            var merged = (originalInput ?? new WorkflowInput()) with
            {
                Commands = request.Commands ?? originalInput?.Commands ?? [],
                Environment = request.Environment ?? originalInput?.Environment ?? [],
                ResumeFrom = request.ResumeFrom is { } resume ? (resume.Length == 0 ? null : resume) : originalInput?.ResumeFrom,
                Lineage = new WorkflowLineage(source.ExecutionArn),
            };
            input = JsonSerializer.Serialize(merged);
        }
        else
        {
            if (request.Commands is not null || request.Environment is not null || request.ResumeFrom is not null)
            {
                return (null, OperationResult.Invalid("commands", $"{workflow.Name} does not take the workflow contract's input: it can be re-run with its original input only."));
            }

            var node = JsonNode.Parse(original) as JsonObject ?? [];
            node[WorkflowInput.LineageProperty] = JsonSerializer.SerializeToNode(new WorkflowLineage(source.ExecutionArn));
            input = node.ToJsonString();
        }

        var errors = ValidateInput(workflow, input);
        if (!errors.ContainsKey("input") && SecretProblem(redactor.SecretsIn(input), restorable: true) is { } secrets)
        {
            errors[workflow.TakesContractInput ? "environment" : "input"] = [secrets];
        }

        var name = request.Name ?? source.SuggestedName;
        if (OperationValidation.ExecutionName(name, workflow.MaxExecutionNameLength) is { } nameError)
        {
            errors["name"] = [nameError];
        }

        return errors.Count > 0 ? (null, OperationResult.Invalid(errors)) : (new RerunPlan(original, input, name, source.StateMachineArn, workflow), null);
    }

    public async Task<OperationResult> RerunAsync(OperationActor actor, RerunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.Rerun, WorkflowOf(request.ExecutionArn), request.ExecutionArn, redactor.Redact(OperationJson.Write(request with { IdempotencyKey = null }))!, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (plan, problem) = await PlanRerunAsync(actor, request, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return problem!;
        }

        var (key, window) = request.IdempotencyKey is { Length: > 0 } clientKey ? (IdempotencyKeys.Client(actor.Name, clientKey), (TimeSpan?)null)
            : request.Name is { } name ? ($"start {plan.StateMachineArn} {name}", null)
            : (IdempotencyKeys.Content("rerun", actor.Name, request.ExecutionArn, plan.Input), options.Value.RepeatWindow);
        var parameters = OperationJson.Write(new StartParameters(plan.StateMachineArn, plan.Name, plan.Input, request.ExecutionArn));
        var draft = new OperationDraft(OperationKind.Rerun, actor, plan.Workflow.Name, request.ExecutionArn, parameters, IdempotencyKeys.Fingerprint($"{request.ExecutionArn} {request.Name} {plan.Input}"));
        return await RecordAndSendAsync(draft, IdempotencyKeys.Stored("rerun", key), window, cancellationToken).ConfigureAwait(false);
    }

    public async Task<OperationResult> StopAsync(OperationActor actor, StopRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var parameters = OperationJson.Write(new StopParameters(request.ExecutionArn, Blank(request.Error), Blank(request.Cause)));
        if (await ledger.RefuseUnlessAllowedAsync(actor, OperationKind.Stop, WorkflowOf(request.ExecutionArn), request.ExecutionArn, parameters, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        OperationValidation.ErrorAndCause(errors, request.Error, request.Cause);

        if (errors.Count > 0)
        {
            return OperationResult.Invalid(errors);
        }

        var (described, problem) = await DescribeAsync(request.ExecutionArn, cancellationToken).ConfigureAwait(false);
        if (described is null)
        {
            return problem!;
        }

        if (described.Status != ExecutionStatus.RUNNING)
        {
            return await ledger.FindAsync(IdempotencyKeys.Stored("stop", IdempotencyKeys.Stop(request.ExecutionArn)), cancellationToken).ConfigureAwait(false) is { } earlier
                ? await RepeatAsync(earlier, cancellationToken).ConfigureAwait(false)
                : OperationResult.Conflict("executionArn", $"{described.Name} is {described.Status}, not running: there is nothing to stop.");
        }

        var draft = new OperationDraft(OperationKind.Stop, actor, WorkflowOf(request.ExecutionArn), request.ExecutionArn, parameters);
        return await RecordAndSendAsync(draft, IdempotencyKeys.Stored("stop", IdempotencyKeys.Stop(request.ExecutionArn)), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the callback rescue form shows: the task waiting, and whether its worker's ECS task is gone.</summary>
    public async Task<CallbackState> GetCallbackStateAsync(string executionArn, CancellationToken cancellationToken)
    {
        var (described, problem) = await DescribeAsync(executionArn, cancellationToken).ConfigureAwait(false);
        if (described is null)
        {
            return new CallbackState(null, null, problem!.Message);
        }

        if (described.Status != ExecutionStatus.RUNNING)
        {
            return new CallbackState(null, null, $"{described.Name} is {described.Status}: nothing waits for a callback.");
        }

        var waiting = WaitingTask.Find(await executor.HistoryAsync(executionArn, cancellationToken).ConfigureAwait(false));
        if (waiting is null)
        {
            return new CallbackState(null, null, "No task of this execution is waiting for its task token.");
        }

        var taskStatus = waiting.TaskArn is { } taskArn ? await ecsTasks.LastStatusAsync(taskArn, cancellationToken).ConfigureAwait(false) : null;
        var reason = taskStatus switch
        {
            "STOPPED" => $"{waiting.StateName} waits for a callback, and its worker's ECS task has stopped: no one is left to answer.",
            null when waiting.TaskArn is null => $"{waiting.StateName} waits for a callback from a task this dashboard cannot see.",
            null => $"{waiting.StateName} waits for a callback, and ECS no longer knows its task (stopped more than an hour ago).",
            _ => $"{waiting.StateName} waits for a callback, and its worker's ECS task is {taskStatus}: it can still answer. Stop the task, or wait.",
        };
        return new CallbackState(waiting, taskStatus, reason);
    }

    public async Task<OperationResult> SendCallbackAsync(OperationActor actor, CallbackRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var kind = request.Success ? OperationKind.SendTaskSuccess : OperationKind.SendTaskFailure;
        var shown = OperationJson.Write(new CallbackParameters(request.ExecutionArn, 0, "", request.Success ? request.Output : null, Blank(request.Error), Blank(request.Cause)));
        if (await ledger.RefuseUnlessAllowedAsync(actor, kind, WorkflowOf(request.ExecutionArn), request.ExecutionArn, shown, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Success && OperationValidation.JsonPayload(request.Output, "output") is { } outputProblem)
        {
            errors["output"] = [outputProblem];
        }

        if (!request.Success && string.IsNullOrWhiteSpace(request.Error))
        {
            errors["error"] = ["Name the error the task fails with (for example BatchOps.WorkerLost); the workflow's Retry and Catch match on it."];
        }

        OperationValidation.ErrorAndCause(errors, request.Error, request.Cause);

        if (errors.Count > 0)
        {
            return OperationResult.Invalid(errors);
        }

        var state = await GetCallbackStateAsync(request.ExecutionArn, cancellationToken).ConfigureAwait(false);
        if (state.Waiting is not { } waiting)
        {
            return state.Reason?.StartsWith("There is no execution", StringComparison.Ordinal) == true ? OperationResult.NotFound(state.Reason) : OperationResult.Conflict("executionArn", state.Reason ?? "Nothing waits for a callback.");
        }

        if (!state.CanRescue)
        {
            return OperationResult.Conflict("executionArn", state.Reason!);
        }

        var parameters = OperationJson.Write(new CallbackParameters(request.ExecutionArn, waiting.ScheduledEventId, waiting.StateName, request.Success ? request.Output : null, Blank(request.Error), Blank(request.Cause)));
        var draft = new OperationDraft(kind, actor, WorkflowOf(request.ExecutionArn), request.ExecutionArn, parameters);
        return await RecordAndSendAsync(draft, IdempotencyKeys.Stored("callback", IdempotencyKeys.Callback(request.ExecutionArn, waiting.ScheduledEventId)), null, cancellationToken).ConfigureAwait(false);
    }

    private Task<OperationResult> RecordAndSendAsync(OperationDraft draft, string storedKey, TimeSpan? window, CancellationToken cancellationToken) =>
        runner.RecordAndSendAsync(draft, storedKey, window, cancellationToken);

    private Task<OperationResult> RepeatAsync(OperationRecord first, CancellationToken cancellationToken) => runner.RepeatAsync(first, cancellationToken);

    private async Task<(DescribeExecutionResponse? Described, OperationResult? Problem)> DescribeAsync(string executionArn, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(executionArn) || !executionArn.StartsWith("arn:", StringComparison.Ordinal) || !executionArn.Contains(":execution:", StringComparison.Ordinal))
        {
            return (null, OperationResult.Invalid("executionArn", $"'{executionArn}' is not an execution ARN (arn:aws:states:region:account:execution:state-machine:name)."));
        }

        try
        {
            return (await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = executionArn }, cancellationToken).ConfigureAwait(false), null);
        }
        catch (ExecutionDoesNotExistException)
        {
            return (null, OperationResult.NotFound($"There is no execution {executionArn}."));
        }
        catch (InvalidArnException e)
        {
            return (null, OperationResult.Invalid("executionArn", e.ErrorMessage));
        }
        catch (AmazonStepFunctionsException e) when (e.ErrorCode == "AccessDeniedException")
        {
            // Outside what the dashboard's role may read (another workflow, another account): not one of ours.
            return (null, OperationResult.NotFound($"There is no execution {executionArn} that this dashboard may read (AWS: {e.ErrorCode}: {e.ErrorMessage})."));
        }
    }

    /// <summary>The contract's checks for workflows that take it; well-formed JSON within 256 KiB for every workflow.</summary>
    /// <summary>Why input carrying these secret values in clear is refused (the ledger would store them), or null when there are none.</summary>
    private static string? SecretProblem(IReadOnlyList<string> names, bool restorable) => names.Count == 0 ? null
        : $"{string.Join(", ", names.Distinct(StringComparer.Ordinal))} {(names.Count == 1 ? "looks" : "look")} like {(names.Count == 1 ? "a secret" : "secrets")} (Redaction:SecretNames), and the dashboard does not take secret values: it would store them in its audit ledger. "
            + (restorable ? $"Leave a redacted value as {SecretRedactor.Marker} to keep the original execution's, or pass" : "Pass")
            + " secrets through the task definition's secrets (Secrets Manager or SSM Parameter Store) instead.";

    public static Dictionary<string, string[]> ValidateInput(WorkflowDescription workflow, string? input)
    {
        var errors = new Dictionary<string, string[]>();
        if (OperationValidation.JsonPayload(input, "input") is { } payloadProblem)
        {
            errors["input"] = [payloadProblem];
            return errors;
        }

        if (!workflow.TakesContractInput)
        {
            return errors;
        }

        WorkflowInput? contract;
        try
        {
            contract = JsonSerializer.Deserialize<WorkflowInput>(input!);
        }
        catch (JsonException e)
        {
            errors["input"] = [$"{workflow.Name} takes {{\"commands\": [...], \"environment\": [{{\"Name\", \"Value\"}}], \"resumeFrom\": \"step\"}}: {e.Message}"];
            return errors;
        }

        if (contract is null)
        {
            errors["input"] = [$"{workflow.Name} takes an object with commands and environment."];
            return errors;
        }

        if (OperationValidation.Commands(contract.Commands) is { } commandsProblem)
        {
            errors["commands"] = [commandsProblem];
        }

        foreach (var (index, message) in OperationValidation.Environment(contract.Environment))
        {
            errors[$"environment[{index}].name"] = [message];
        }

        if (contract.ResumeFrom is { } resume && !workflow.ResumeSteps.Contains(resume, StringComparer.Ordinal))
        {
            errors["resumeFrom"] = [workflow.ResumeSteps.Count == 0
                ? $"{workflow.Name} has no resume router: leave resumeFrom out."
                : $"{workflow.Name} resumes from {string.Join(", ", workflow.ResumeSteps)} only, not '{resume}'."];
        }

        if (errors.Count == 0 && OperationValidation.ContainerOverrideSize(contract.Commands, contract.Environment) is { } sizeProblem)
        {
            errors["environment"] = [sizeProblem];
        }

        return errors;
    }

    /// <summary>original-rerun-N, the next N after the re-runs the read model and the ledger know, within the name limit.</summary>
    private async Task<string> RerunNameAsync(string original, string originalArn, int maxLength, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var known = await db.Executions.AsNoTracking().Where(e => e.RerunOfArn == originalArn).CountAsync(cancellationToken).ConfigureAwait(false);
        var recorded = await db.Operations.AsNoTracking().Where(o => o.Kind == OperationKind.Rerun && o.TargetArn == originalArn && o.Status != OperationStatus.Refused).CountAsync(cancellationToken).ConfigureAwait(false);
        var suffix = $"-rerun-{Math.Max(known, recorded) + 1}";
        return original[..Math.Min(original.Length, maxLength - suffix.Length)] + suffix;
    }

    /// <summary>who-yyyyMMddTHHmmss-hash: readable in the console, unique per request.</summary>
    private string GeneratedName(string actor, string key, int maxLength)
    {
        var who = new string([.. actor.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        var suffix = $"-{time.GetUtcNow():yyyyMMdd'T'HHmmss}-{IdempotencyKeys.Hash(key)[..6]}";
        who = who.Length == 0 ? "manual" : who[..Math.Min(who.Length, Math.Max(1, maxLength - suffix.Length))];
        return who + suffix;
    }

    private static string? WorkflowOf(string? executionArn) =>
        executionArn?.Split(':') is { Length: >= 8 } parts && parts[5] == "execution" ? parts[6] : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
