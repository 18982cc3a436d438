using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Asl;

namespace BatchOps.Sandbox.StepFunctions;

/// <summary>
/// Step Functions on one machine: state machines, executions running in the interpreter, histories,
/// stop, redrive and task-token callbacks, with the service's validation and error codes.
/// </summary>
public sealed partial class StepFunctionsSandbox(Interpreter interpreter, TaskTokens tokens, TimeProvider time, SandboxAccount account)
{
    private readonly ConcurrentDictionary<string, StateMachine> _machines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Execution> _executions = new(StringComparer.Ordinal);

    private sealed record StateMachine(string Arn, string Name, string Definition, StateMachineDefinition Parsed, string RoleArn, string Type, DateTimeOffset CreationDate, List<Tag> Tags)
    {
        /// <summary>Changes with every update of the definition or role (running executions keep the revision they started with).</summary>
        public string RevisionId { get; init; } = Guid.NewGuid().ToString();

        public DateTimeOffset? UpdateDate { get; init; }
    }

    private sealed class Execution(string arn, string name, StateMachine machine, string input, DateTimeOffset start)
    {
        public string Arn { get; } = arn;
        public string Name { get; } = name;
        public StateMachine Machine { get; } = machine;
        public string Input { get; } = input;
        public DateTimeOffset StartDate { get; } = start;
        public History History { get; init; } = null!;
        public Cursor Cursor { get; } = new(0);
        public string Status { get; set; } = ExecutionStatus.RUNNING;
        public DateTimeOffset? StopDate { get; set; }
        public string? Output { get; set; }
        public string? Error { get; set; }
        public string? Cause { get; set; }
        public int RedriveCount { get; set; }
        public DateTimeOffset? RedriveDate { get; set; }
        public string? FailedState { get; set; }
        public JsonNode? FailedStateInput { get; set; }
        public HashSet<string> RedriveTokens { get; } = new(StringComparer.Ordinal);
        public RedriveMemory Memory { get; } = new();
        public CancellationTokenSource Stop { get; set; } = new();
        public Task Run { get; set; } = Task.CompletedTask;
    }

    public CreateStateMachineResponse CreateStateMachine(CreateStateMachineRequest request)
    {
        ValidateName(request.Name, "InvalidName");
        var parsed = ParseDefinition(request.Definition);
        var arn = $"arn:aws:states:{account.Region}:{account.Id}:stateMachine:{request.Name}";
        var machine = new StateMachine(arn, request.Name, request.Definition, parsed, request.RoleArn, request.Type ?? StateMachineType.STANDARD, time.GetUtcNow(), request.Tags ?? []);
        var existing = _machines.GetOrAdd(arn, machine);
        if (!ReferenceEquals(existing, machine) && (existing.Definition != request.Definition || existing.RoleArn != request.RoleArn))
        {
            throw new SandboxErrorException("StateMachineAlreadyExists", $"State Machine Already Exists: '{arn}'");
        }

        return new CreateStateMachineResponse { StateMachineArn = arn, CreationDate = existing.CreationDate };
    }

    public DeleteStateMachineResponse DeleteStateMachine(DeleteStateMachineRequest request)
    {
        _machines.TryRemove(ValidArn(request.StateMachineArn, "stateMachine"), out _);
        return new DeleteStateMachineResponse();
    }

    public DescribeStateMachineResponse DescribeStateMachine(DescribeStateMachineRequest request)
    {
        var m = Machine(request.StateMachineArn);
        return new DescribeStateMachineResponse { StateMachineArn = m.Arn, Name = m.Name, Status = "ACTIVE", Definition = m.Definition, RoleArn = m.RoleArn, Type = m.Type, CreationDate = m.CreationDate, RevisionId = m.RevisionId };
    }

    public ListStateMachinesResponse ListStateMachines(ListStateMachinesRequest request)
    {
        var (page, next) = Paging.Page(_machines.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(), request.MaxResults, request.NextToken);
        return new ListStateMachinesResponse { StateMachines = [.. page.Select(m => new StateMachineListItem { StateMachineArn = m.Arn, Name = m.Name, Type = m.Type, CreationDate = m.CreationDate })], NextToken = next };
    }

    public ListTagsForResourceResponse ListTagsForResource(ListTagsForResourceRequest request) =>
        new() { Tags = Machine(request.ResourceArn).Tags };

    /// <summary>
    /// A new definition and/or role: new executions run it; running ones finish on the revision they started with, and
    /// an execution that started before the change can no longer be redriven (as in AWS).
    /// </summary>
    public UpdateStateMachineResponse UpdateStateMachine(UpdateStateMachineRequest request)
    {
        if (request.Definition is null && request.RoleArn is null)
        {
            throw new SandboxErrorException("MissingRequiredParameter", "Either the definition or the roleArn must be specified.");
        }

        var parsed = request.Definition is null ? null : ParseDefinition(request.Definition);
        var now = time.GetUtcNow();
        while (true)
        {
            var current = Machine(request.StateMachineArn);
            var updated = current with
            {
                Definition = request.Definition ?? current.Definition,
                Parsed = parsed ?? current.Parsed,
                RoleArn = request.RoleArn ?? current.RoleArn,
                RevisionId = Guid.NewGuid().ToString(),
                UpdateDate = now,
            };
            if (_machines.TryUpdate(current.Arn, updated, current))
            {
                return new UpdateStateMachineResponse { UpdateDate = now, RevisionId = updated.RevisionId };
            }
        }
    }

    public TagResourceResponse TagResource(TagResourceRequest request)
    {
        UpdateTags(request.ResourceArn, tags => [.. tags.Where(t => request.Tags.All(n => n.Key != t.Key)), .. request.Tags]);
        return new TagResourceResponse();
    }

    public UntagResourceResponse UntagResource(UntagResourceRequest request)
    {
        UpdateTags(request.ResourceArn, tags => [.. tags.Where(t => !request.TagKeys.Contains(t.Key!))]);
        return new UntagResourceResponse();
    }

    private void UpdateTags(string arn, Func<List<Tag>, List<Tag>> change)
    {
        while (true)
        {
            var current = Machine(arn);
            if (_machines.TryUpdate(current.Arn, current with { Tags = change(current.Tags) }, current))
            {
                return;
            }
        }
    }

    public StartExecutionResponse StartExecution(StartExecutionRequest request)
    {
        var machine = Machine(request.StateMachineArn);
        var name = request.Name ?? Guid.NewGuid().ToString();
        ValidateName(name, "InvalidName");
        var input = request.Input ?? "{}";
        var parsedInput = ParseInput(input);
        var arn = $"arn:aws:states:{account.Region}:{account.Id}:execution:{machine.Name}:{name}";
        var now = time.GetUtcNow();
        var execution = new Execution(arn, name, machine, input, now) { History = new History(time) };
        var existing = _executions.GetOrAdd(arn, execution);
        if (!ReferenceEquals(existing, execution))
        {
            // A repeated StartExecution with the same name and input is idempotent while the execution is open.
            return existing.Status == ExecutionStatus.RUNNING && existing.Input == input
                ? new StartExecutionResponse { ExecutionArn = arn, StartDate = existing.StartDate }
                : throw new SandboxErrorException("ExecutionAlreadyExists", $"Execution Already Exists: '{arn}'");
        }

        execution.History.Add(execution.Cursor, HistoryEventType.ExecutionStarted, e => e with
        {
            ExecutionStartedEventDetails = new() { Input = input, InputDetails = new() { Truncated = false }, RoleArn = machine.RoleArn },
        });
        execution.Run = RunAsync(execution, null, parsedInput, firstState: true);
        return new StartExecutionResponse { ExecutionArn = arn, StartDate = now };
    }

    public DescribeExecutionResponse DescribeExecution(DescribeExecutionRequest request)
    {
        var e = ExecutionOf(request.ExecutionArn);
        var (redriveStatus, reason) = RedriveStatus(e);
        return new DescribeExecutionResponse
        {
            ExecutionArn = e.Arn,
            StateMachineArn = e.Machine.Arn,
            Name = e.Name,
            Status = e.Status,
            StartDate = e.StartDate,
            StopDate = e.StopDate,
            Input = e.Input,
            InputDetails = new() { Included = true },
            Output = e.Output,
            OutputDetails = e.Output is null ? null : new() { Included = true },
            Error = e.Error,
            Cause = e.Cause,
            RedriveCount = e.RedriveCount,
            RedriveDate = e.RedriveDate,
            RedriveStatus = redriveStatus,
            RedriveStatusReason = reason,
        };
    }

    public DescribeStateMachineForExecutionResponse DescribeStateMachineForExecution(DescribeStateMachineForExecutionRequest request)
    {
        var e = ExecutionOf(request.ExecutionArn);
        return new DescribeStateMachineForExecutionResponse { StateMachineArn = e.Machine.Arn, Name = e.Machine.Name, Definition = e.Machine.Definition, RoleArn = e.Machine.RoleArn, UpdateDate = e.Machine.UpdateDate ?? e.Machine.CreationDate, RevisionId = e.Machine.RevisionId };
    }

    public ListExecutionsResponse ListExecutions(ListExecutionsRequest request)
    {
        if (request.StateMachineArn is null)
        {
            throw new SandboxErrorException("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
        }

        var machine = Machine(request.StateMachineArn);
        var matching = _executions.Values.Where(e => e.Machine.Arn == machine.Arn)
            .Where(e => request.StatusFilter is null || (request.StatusFilter == ExecutionStatus.PENDING_REDRIVE ? false : e.Status == request.StatusFilter))
            .Where(e => request.RedriveFilter switch
            {
                ExecutionRedriveFilter.REDRIVEN => e.RedriveCount > 0,
                ExecutionRedriveFilter.NOT_REDRIVEN => e.RedriveCount == 0,
                _ => true,
            })
            .OrderByDescending(e => e.StartDate).ThenByDescending(e => e.Arn, StringComparer.Ordinal).ToList();
        var (page, next) = Paging.Page(matching, request.MaxResults, request.NextToken);
        return new ListExecutionsResponse
        {
            Executions = [.. page.Select(e => new ExecutionListItem
            {
                ExecutionArn = e.Arn, StateMachineArn = e.Machine.Arn, Name = e.Name, Status = e.Status, StartDate = e.StartDate, StopDate = e.StopDate,
                RedriveCount = e.RedriveCount, RedriveDate = e.RedriveDate,
            })],
            NextToken = next,
        };
    }

    public GetExecutionHistoryResponse GetExecutionHistory(GetExecutionHistoryRequest request)
    {
        var e = ExecutionOf(request.ExecutionArn);
        var events = e.History.Snapshot().ToList();
        if (request.ReverseOrder == true)
        {
            events.Reverse();
        }

        var (page, next) = Paging.Page(events, request.MaxResults, request.NextToken);
        return new GetExecutionHistoryResponse { Events = request.IncludeExecutionData == false ? [.. page.Select(HistoryEventData.Without)] : page, NextToken = next };
    }

    public async Task<StopExecutionResponse> StopExecutionAsync(StopExecutionRequest request)
    {
        var e = ExecutionOf(request.ExecutionArn);
        if (e.Status == ExecutionStatus.RUNNING)
        {
            e.Error = request.Error;
            e.Cause = request.Cause;
            await e.Stop.CancelAsync().ConfigureAwait(false);
            await e.Run.ConfigureAwait(false);
        }

        return new StopExecutionResponse { StopDate = e.StopDate ?? time.GetUtcNow() };
    }

    public RedriveExecutionResponse RedriveExecution(RedriveExecutionRequest request)
    {
        var e = ExecutionOf(request.ExecutionArn);
        lock (e)
        {
            if (request.ClientToken is { } token && e.RedriveTokens.Contains(token))
            {
                return new RedriveExecutionResponse { RedriveDate = e.RedriveDate!.Value };
            }

            var (status, reason) = RedriveStatus(e);
            if (status != "REDRIVABLE")
            {
                throw new SandboxErrorException("ExecutionNotRedrivable", $"Execution '{e.Arn}' is not redrivable: {reason}");
            }

            if (request.ClientToken is { } newToken)
            {
                e.RedriveTokens.Add(newToken);
            }

            e.RedriveCount++;
            e.RedriveDate = time.GetUtcNow();
            (e.Status, e.StopDate, e.Error, e.Cause) = (ExecutionStatus.RUNNING, null, null, null);
            e.Stop = new CancellationTokenSource();
            var count = e.RedriveCount;
            e.History.Add(e.Cursor, HistoryEventType.ExecutionRedriven, ev => ev with { ExecutionRedrivenEventDetails = new() { RedriveCount = count } });
            e.Run = RunAsync(e, e.FailedState, e.FailedStateInput, firstState: false);
            return new RedriveExecutionResponse { RedriveDate = e.RedriveDate.Value };
        }
    }

    public SendTaskSuccessResponse SendTaskSuccess(SendTaskSuccessRequest request)
    {
        var output = ParseInput(request.Output, "Invalid Output");
        return tokens.Succeed(CheckToken(request.TaskToken), output) ? new SendTaskSuccessResponse() : throw TaskGone();
    }

    public SendTaskFailureResponse SendTaskFailure(SendTaskFailureRequest request) =>
        tokens.Fail(CheckToken(request.TaskToken), request.Error, request.Cause) ? new SendTaskFailureResponse() : throw TaskGone();

    public SendTaskHeartbeatResponse SendTaskHeartbeat(SendTaskHeartbeatRequest request) =>
        tokens.Heartbeat(CheckToken(request.TaskToken)) ? new SendTaskHeartbeatResponse() : throw TaskGone();

    /// <summary>Waits until the execution is no longer running (child workflows).</summary>
    public async Task WhenFinishedAsync(string executionArn, CancellationToken cancellationToken)
    {
        var e = ExecutionOf(executionArn);
        while (true)
        {
            await e.Run.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (e.Status != ExecutionStatus.RUNNING)
            {
                return;
            }
        }
    }

    /// <summary>Waits for every running execution (tests and shutdown).</summary>
    public async Task WhenIdleAsync()
    {
        // Executions started by other executions appear while waiting: loop until none is running.
        while (_executions.Values.Where(e => !e.Run.IsCompleted).Select(e => e.Run).ToList() is { Count: > 0 } running)
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Execution e, string? startAt, JsonNode? input, bool firstState)
    {
        await Task.Yield();
        var info = new ExecutionInfo(e.Arn, e.Name, e.Machine.Arn, e.Machine.Name, e.Machine.RoleArn, e.StartDate, account.Region, account.Id, ParseInput(e.Input), e.RedriveCount);
        using var timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        if (e.Machine.Parsed.TimeoutSeconds is { } seconds)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds) - (time.GetUtcNow() - e.StartDate));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(e.Stop.Token, timeout.Token);
        RunOutcome? outcome = null;
        try
        {
            e.Memory.Redriving = !firstState;
            outcome = await interpreter.RunAsync(e.Machine.Parsed, info, e.History, e.Cursor, startAt, input, firstState, linked.Token, e.Memory).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
#pragma warning disable CA1031 // A defect in the interpreter must fail the execution, never leave it RUNNING forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = new RunOutcome(false, null, AslErrors.Runtime, $"The sandbox could not run this execution: {ex.GetType().Name}: {ex.Message}", null, null);
        }

        lock (e)
        {
            e.StopDate = time.GetUtcNow();
            if (outcome is { Succeeded: true })
            {
                (e.Status, e.Output) = (ExecutionStatus.SUCCEEDED, Interpreter.Json(outcome.Output));
                e.History.Add(e.Cursor, HistoryEventType.ExecutionSucceeded, ev => ev with { ExecutionSucceededEventDetails = new() { Output = e.Output, OutputDetails = new() { Truncated = false } } });
            }
            else if (outcome is not null)
            {
                (e.Status, e.Error, e.Cause, e.FailedState, e.FailedStateInput) = (ExecutionStatus.FAILED, Interpreter.NullIfEmpty(outcome.Error), Interpreter.NullIfEmpty(outcome.Cause), outcome.FailedState, outcome.FailedStateInput);
                e.History.Add(e.Cursor, HistoryEventType.ExecutionFailed, ev => ev with { ExecutionFailedEventDetails = new() { Error = e.Error, Cause = e.Cause } });
            }
            else if (timeout.IsCancellationRequested)
            {
                (e.Status, e.Error) = (ExecutionStatus.TIMED_OUT, AslErrors.Timeout);
                e.History.Add(e.Cursor, HistoryEventType.ExecutionTimedOut, ev => ev with { ExecutionTimedOutEventDetails = new() { Error = AslErrors.Timeout } });
            }
            else
            {
                e.Status = ExecutionStatus.ABORTED;
                // AWS records the abort as following no event (previousEventId 0; see the recorded test_stop_execution).
                e.History.Add(new Cursor(0), HistoryEventType.ExecutionAborted, ev => ev with { ExecutionAbortedEventDetails = new() { Error = e.Error, Cause = e.Cause } });
            }
        }
    }

    /// <summary>Redrivable: failed, timed out or aborted within 14 days, with the definition unchanged.</summary>
    private (string Status, string? Reason) RedriveStatus(Execution e)
    {
        if (e.Status == ExecutionStatus.RUNNING)
        {
            return ("NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven");
        }

        if (e.Status == ExecutionStatus.SUCCEEDED)
        {
            return ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");
        }

        if (e.StopDate is { } stopped && time.GetUtcNow() - stopped > TimeSpan.FromDays(14))
        {
            return ("NOT_REDRIVABLE", "Execution can no longer be redriven: it ended more than 14 days ago");
        }

        if (!_machines.TryGetValue(e.Machine.Arn, out var current) || current.Definition != e.Machine.Definition)
        {
            return ("NOT_REDRIVABLE", "The state machine definition changed or was deleted after the execution started");
        }

        return ("REDRIVABLE", null);
    }

    private static string CheckToken(string token) =>
        token.Length is 0 or > 2048 ? throw new SandboxErrorException("InvalidToken", "Invalid Token: 'length must be between 1 and 2048'") : token;

    private static SandboxErrorException TaskGone() => new("TaskDoesNotExist", "Task does not exist anymore");

    private StateMachine Machine(string arn) =>
        _machines.TryGetValue(ValidArn(arn, "stateMachine"), out var m) ? m : throw new SandboxErrorException("StateMachineDoesNotExist", $"State Machine Does Not Exist: '{arn}'");

    private Execution ExecutionOf(string arn) =>
        _executions.TryGetValue(ValidArn(arn, "execution"), out var e) ? e : throw new SandboxErrorException("ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'");

    private static string ValidArn(string arn, string kind) =>
        ArnPattern().IsMatch(arn) && arn.Split(':')[5] == kind ? arn : throw new SandboxErrorException("InvalidArn", $"Invalid Arn: 'Resource type not valid in this context: {arn}'");

    private static void ValidateName(string name, string code)
    {
        if (name.Length is 0 or > 80 || !NamePattern().IsMatch(name))
        {
            throw new SandboxErrorException(code, $"Invalid Name: '{name}'");
        }
    }

    private static JsonNode? ParseInput(string text, string prefix = "Invalid State Machine Execution Input")
    {
        if (Encoding.UTF8.GetByteCount(text) > Interpreter.MaxPayloadBytes)
        {
            throw new SandboxErrorException("InvalidExecutionInput", $"{prefix}: 'input exceeds the 262144 byte limit'");
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new SandboxErrorException(prefix == "Invalid Output" ? "InvalidOutput" : "InvalidExecutionInput", $"{prefix}: '{ex.Message}'");
        }
    }

    /// <summary>Checks what CreateStateMachine checks (JSON, StartAt, state types and fields, every transition's target) and parses once.</summary>
    public static StateMachineDefinition ParseDefinition(string definition)
    {
        try
        {
            return StateMachineDefinition.Parse(definition);
        }
        catch (AslDefinitionException e)
        {
            throw new SandboxErrorException("InvalidDefinition", $"Invalid State Machine Definition: '{e.Message}'");
        }
    }

    [GeneratedRegex(@"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):.+$")]
    private static partial Regex ArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9\-_.]+$")]
    private static partial Regex NamePattern();
}

/// <summary>The account and region the sandbox pretends to be.</summary>
public sealed record SandboxAccount(string Id = "000000000000", string Region = "us-east-1");
