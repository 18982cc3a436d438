using System.Diagnostics.Metrics;
using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Features.Operations.Jobs;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.Features.Telemetry;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Integrations;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>The operator actions through the service the pages and the API share, against the sandbox over HTTP.</summary>
public sealed class ExecutionActionsTests : IAsyncLifetime
{
    private OperationsSandbox _env = null!;

    public async Task InitializeAsync() => _env = await OperationsSandbox.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Twenty_concurrent_redrives_of_one_execution_redrive_it_once_and_record_one_operation()
    {
        var machine = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var failed = await _env.FailedExecutionAsync(machine, "import-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => _env.Actions.RedriveAsync(i % 2 == 0 ? OperationsSandbox.Operator : OperationsSandbox.Admin, failed, CancellationToken.None))));

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.Kind} {r.Message} {r.Operation?.ErrorCode} {r.Operation?.ErrorMessage}"));
        Assert.Single(results.Select(r => r.Operation!.Id).Distinct());
        Assert.Equal(19, results.Count(r => r.Operation!.Repeated));
        await _env.Sandbox.StepFunctions.WhenFinishedAsync(failed, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var after = await _env.DescribeAsync(failed);
        Assert.Equal(1, after.RedriveCount);
        Assert.Equal(ExecutionStatus.SUCCEEDED, after.Status);
        var operation = Assert.Single(await _env.LedgerAsync());
        Assert.Equal(OperationStatus.Succeeded, operation.Status);
        Assert.Equal(1, operation.Attempts);
        Assert.NotNull(operation.AwsRequestId);
    }

    [Fact]
    public async Task Twenty_concurrent_identical_starts_start_one_execution_with_or_without_a_key()
    {
        var machine = await _env.CreateAsync("contract", OperationsSandbox.ContractDefinition, contract: true);
        const string Input = """{"commands":["echo","hello"],"environment":[{"Name":"LOG_LEVEL","Value":"debug"}]}""";

        var keyed = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _env.Actions.StartAsync(OperationsSandbox.Operator, new StartRequest("contract", Input, IdempotencyKey: "form-7f3a"), CancellationToken.None))));
        var unkeyed = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _env.Actions.StartAsync(OperationsSandbox.Admin, new StartRequest(machine, Input), CancellationToken.None))));

        Assert.All(keyed.Concat(unkeyed), r => Assert.True(r.Succeeded, $"{r.Kind} {r.Message} {r.Operation?.ErrorMessage}"));
        Assert.Single(keyed.Select(r => r.Operation!.ResultArn).Distinct());
        Assert.Single(unkeyed.Select(r => r.Operation!.ResultArn).Distinct());
        Assert.Equal(2, await _env.ExecutionCountAsync(machine));
        Assert.Equal(2, (await _env.LedgerAsync()).Count);
    }

    [Fact]
    public async Task A_viewer_is_refused_every_action_and_nothing_is_sent()
    {
        var flaky = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var waiter = await _env.CreateAsync("waiter", OperationsSandbox.WaiterDefinition);
        var failed = await _env.FailedExecutionAsync(flaky, "import-1");
        var waiting = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = waiter, Name = "callback-1", Input = "{}" })).ExecutionArn;
        var viewer = OperationsSandbox.Viewer;
        var bulk = _env.Harness.Get<BulkOperations>();

        OperationResult[] results =
        [
            await _env.Actions.StartAsync(viewer, new StartRequest(flaky, "{}"), CancellationToken.None),
            await _env.Actions.RedriveAsync(viewer, failed, CancellationToken.None),
            await _env.Actions.RerunAsync(viewer, new RerunRequest(failed), CancellationToken.None),
            await _env.Actions.StopAsync(viewer, new StopRequest(waiting), CancellationToken.None),
            await _env.Actions.SendCallbackAsync(viewer, new CallbackRequest(waiting, Success: true, Output: "{}"), CancellationToken.None),
            await _env.Actions.SendCallbackAsync(OperationsSandbox.Operator, new CallbackRequest(waiting, Success: false, Error: "Lost"), CancellationToken.None),
            await bulk.StartAsync(viewer, new BulkRequest("redrive", [failed]), CancellationToken.None),
            await bulk.StartAsync(viewer, new BulkRequest("stop", [waiting]), CancellationToken.None),
        ];

        Assert.All(results, r => Assert.Equal(OperationResultKind.Refused, r.Kind));
        Assert.Contains("needs the Admin role", results[5].Message, StringComparison.Ordinal);
        var ledger = await _env.LedgerAsync();
        Assert.Equal(results.Length, ledger.Count);
        Assert.All(ledger, o => Assert.True(o.Status == OperationStatus.Refused && o.Attempts == 0 && o.StartedAt is null, $"{o.Kind} {o.Status}"));
        Assert.Equal(0, (await _env.DescribeAsync(failed)).RedriveCount ?? 0);
        Assert.Equal(ExecutionStatus.RUNNING, (await _env.DescribeAsync(waiting)).Status);
        Assert.Equal(1, await _env.ExecutionCountAsync(flaky));
    }

    [Fact]
    public async Task Every_action_leaves_exactly_one_completed_entry_with_its_actor_and_result()
    {
        var flaky = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var contract = await _env.CreateAsync("contract", OperationsSandbox.ContractDefinition, contract: true);
        var waiter = await _env.CreateAsync("waiter", OperationsSandbox.WaiterDefinition);
        var failed = await _env.FailedExecutionAsync(flaky, "import-1");
        var waiting = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = waiter, Name = "callback-1", Input = "{}" })).ExecutionArn;
        await WaitForCallbackAsync(waiting);
        using var counted = new MetricCollector<long>(_env.Harness.Get<IMeterFactory>(), DashboardMetrics.MeterName, "batchops.operations");

        var started = await _env.Actions.StartAsync(OperationsSandbox.Operator, new StartRequest("contract", """{"commands":["echo","one"],"environment":[]}""", Name: "nightly-1"), CancellationToken.None);
        var rerun = await _env.Actions.RerunAsync(OperationsSandbox.Operator, new RerunRequest(started.Operation!.ResultArn!, Commands: ["echo", "two"]), CancellationToken.None);
        var stopped = await _env.Actions.StopAsync(OperationsSandbox.Operator, new StopRequest(started.Operation.ResultArn!, "Operator.Stopped", "wrong day"), CancellationToken.None);
        var redriven = await _env.Actions.RedriveAsync(OperationsSandbox.Operator, failed, CancellationToken.None);
        var answered = await _env.Actions.SendCallbackAsync(OperationsSandbox.Admin, new CallbackRequest(waiting, Success: true, Output: """{"rows":42}"""), CancellationToken.None);

        OperationResult[] all = [started, rerun, stopped, redriven, answered];
        Assert.All(all, r => Assert.True(r.Succeeded, $"{r.Operation?.Kind}: {r.Kind} {r.Message} {r.Operation?.ErrorCode} {r.Operation?.ErrorMessage}"));
        var ledger = await _env.LedgerAsync();
        Assert.Equal([OperationKind.Start, OperationKind.Rerun, OperationKind.Stop, OperationKind.Redrive, OperationKind.SendTaskSuccess], ledger.Select(o => o.Kind));
        // The dashboard's metrics count each by kind and result.
        Assert.Equal(
            ["Start/Succeeded", "Rerun/Succeeded", "Stop/Succeeded", "Redrive/Succeeded", "SendTaskSuccess/Succeeded"],
            counted.GetMeasurementSnapshot().Select(m => $"{m.Tags["kind"]}/{m.Tags["status"]}"));
        Assert.All(ledger, o =>
        {
            Assert.Equal(OperationStatus.Succeeded, o.Status);
            Assert.NotNull(o.CompletedAt);
            Assert.False(string.IsNullOrEmpty(o.Result));
            Assert.False(string.IsNullOrEmpty(o.AwsRequestId));
        });
        Assert.Equal(["otto", "otto", "otto", "otto", "ada"], ledger.Select(o => o.Actor));
        Assert.Equal("nightly-1-rerun-1", rerun.Operation!.ResultArn!.Split(':')[^1]);
        Assert.Equal(ExecutionStatus.ABORTED, (await _env.DescribeAsync(started.Operation.ResultArn!)).Status);
        await _env.Sandbox.StepFunctions.WhenFinishedAsync(waiting, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var rescued = await _env.DescribeAsync(waiting);
        Assert.Equal(ExecutionStatus.SUCCEEDED, rescued.Status);
        Assert.Equal("""{"rows":42}""", rescued.Output);
        // The token was read from the history and sent; it is nowhere in the ledger.
        var scheduled = (await _env.Sfn.GetExecutionHistoryAsync(new() { ExecutionArn = waiting, MaxResults = 1000 })).Events.Single(e => e.Type == "TaskScheduled");
        var token = System.Text.Json.Nodes.JsonNode.Parse(scheduled.TaskScheduledEventDetails!.Parameters!)!["Payload"]!["TaskToken"]!.GetValue<string>();
        Assert.True(token.Length > 20);
        Assert.DoesNotContain(ledger, o => (o.Parameters ?? "").Contains(token, StringComparison.Ordinal) || (o.Result ?? "").Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rerun_sends_the_original_input_with_the_overrides_and_the_lineage_and_resumes_only_from_a_step_the_router_takes()
    {
        var contract = await _env.CreateAsync("contract", OperationsSandbox.ContractDefinition, contract: true);
        var original = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = contract, Name = "report-1", Input = """{"commands":["report","--date","2026-11-20"],"environment":[{"Name":"LOG_LEVEL","Value":"info"}]}""" })).ExecutionArn;

        var bad = await _env.Actions.RerunAsync(OperationsSandbox.Operator, new RerunRequest(original, ResumeFrom: "Third"), CancellationToken.None);
        var (plan, _) = await _env.Actions.PlanRerunAsync(OperationsSandbox.Operator, new RerunRequest(original, Commands: ["report", "--date", "2026-11-21"], Environment: [new("LOG_LEVEL", "debug"), new("DRY_RUN", "1")], ResumeFrom: "Second"), CancellationToken.None);
        var rerun = await _env.Actions.RerunAsync(OperationsSandbox.Operator, new RerunRequest(original, Commands: ["report", "--date", "2026-11-21"], Environment: [new("LOG_LEVEL", "debug"), new("DRY_RUN", "1")], ResumeFrom: "Second"), CancellationToken.None);

        Assert.Equal(OperationResultKind.Invalid, bad.Kind);
        Assert.Equal("contract resumes from Second only, not 'Third'.", Assert.Single(bad.Errors!["resumeFrom"]));
        Assert.True(rerun.Succeeded, rerun.Message);
        var sent = JsonSerializer.Deserialize<WorkflowInput>((await _env.DescribeAsync(rerun.Operation!.ResultArn!)).Input!)!;
        Assert.Equal(["report", "--date", "2026-11-21"], sent.Commands);
        Assert.Equal([new EnvironmentVariable("LOG_LEVEL", "debug"), new EnvironmentVariable("DRY_RUN", "1")], sent.Environment);
        Assert.Equal("Second", sent.ResumeFrom);
        Assert.Equal(original, sent.Lineage!.RerunOf);
        Assert.Equal(plan!.Input, (await _env.DescribeAsync(rerun.Operation.ResultArn!)).Input);
        var history = await _env.Sfn.GetExecutionHistoryAsync(new() { ExecutionArn = rerun.Operation.ResultArn!, MaxResults = 100 });
        Assert.DoesNotContain(history.Events, e => e.StateEnteredEventDetails?.Name == "First");
    }

    [Fact]
    public async Task A_rerun_keeps_the_originals_secret_values_without_the_dashboard_holding_them_and_a_start_refuses_typed_secrets()
    {
        var contract = await _env.CreateAsync("contract", OperationsSandbox.ContractDefinition, contract: true);
        const string Secret = "hunter2-9f8e7d";
        var original = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = contract, Name = "export-1", Input = $$"""{"commands":["export"],"environment":[{"Name":"DB_PASSWORD","Value":"{{Secret}}"},{"Name":"LOG_LEVEL","Value":"info"}]}""" })).ExecutionArn;

        var (source, _) = await _env.Actions.LoadRerunAsync(original, CancellationToken.None);
        var typed = await _env.Actions.RerunAsync(OperationsSandbox.Operator, new RerunRequest(original, Environment: [new("DB_PASSWORD", "typed-in"), new("LOG_LEVEL", "debug")]), CancellationToken.None);
        var rerun = await _env.Actions.RerunAsync(OperationsSandbox.Operator, new RerunRequest(original, Environment: [new("DB_PASSWORD", SecretRedactor.Marker), new("LOG_LEVEL", "debug")]), CancellationToken.None);
        var start = await _env.Actions.StartAsync(OperationsSandbox.Operator, new StartRequest("contract", """{"commands":["x"],"environment":[{"Name":"API_TOKEN","Value":"abc"}]}"""), CancellationToken.None);

        // The form and the preview see the marker; AWS gets the original's value.
        Assert.DoesNotContain(Secret, source!.OriginalInput, StringComparison.Ordinal);
        Assert.Equal(OperationResultKind.Invalid, typed.Kind);
        Assert.StartsWith("DB_PASSWORD looks like a secret (Redaction:SecretNames)", Assert.Single(typed.Errors!["environment"]), StringComparison.Ordinal);
        Assert.True(rerun.Succeeded, rerun.Message);
        var sent = JsonSerializer.Deserialize<WorkflowInput>((await _env.DescribeAsync(rerun.Operation!.ResultArn!)).Input!)!;
        Assert.Equal([new EnvironmentVariable("DB_PASSWORD", Secret), new EnvironmentVariable("LOG_LEVEL", "debug")], sent.Environment);
        Assert.Equal(OperationResultKind.Invalid, start.Kind);
        Assert.StartsWith("API_TOKEN looks like a secret", Assert.Single(start.Errors!["input"]), StringComparison.Ordinal);
        Assert.DoesNotContain(await _env.LedgerAsync(), o => (o.Parameters ?? "").Contains(Secret, StringComparison.Ordinal) || (o.Result ?? "").Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_input_gets_a_field_error_and_nothing_is_written_or_sent()
    {
        var contract = await _env.CreateAsync("contract", OperationsSandbox.ContractDefinition, contract: true);
        var flaky = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        var succeeded = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = flaky, Name = "ok-1", Input = "{}" })).ExecutionArn;
        await _env.Sandbox.StepFunctions.WhenFinishedAsync(succeeded, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var oversize = JsonSerializer.Serialize(new { commands = new[] { "echo", new string('x', 300 * 1024) }, environment = Array.Empty<object>() });
        var actor = OperationsSandbox.Operator;

        (OperationResult Result, string Field, string Says)[] cases =
        [
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", """{"commands":["echo"],"environment":[{"Name":"2BAD","Value":"x"}]}"""), default), "environment[0].name", "'2BAD' is not a valid variable name"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", """{"commands":["echo"],"environment":[{"Name":"A","Value":"1"},{"Name":"A","Value":"2"}]}"""), default), "environment[1].name", "A is set twice"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", oversize), default), "input", "Step Functions accepts at most 262,144"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", """{"commands": ["echo",]"""), default), "input", "is not valid JSON"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", """{"commands":[],"environment":[]}"""), default), "commands", "at least one argument"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", """{"commands":["echo"],"environment":[]}""", Name: "has space"), default), "name", "may not contain white space"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", """{"commands":["echo"],"environment":[]}""", Name: new string('n', 81)), default), "name", "at most 80 characters"),
            (await _env.Actions.StartAsync(actor, new StartRequest("contract", $$"""{"commands":["echo"],"environment":[{"Name":"BIG","Value":"{{new string('v', 8200)}}"}]}"""), default), "environment", "ECS accepts at most 8,192"),
            (await _env.Actions.RedriveAsync(actor, "not-an-arn", default), "executionArn", "is not an execution ARN"),
            (await _env.Actions.RedriveAsync(actor, succeeded, default), "executionArn", "Execution is SUCCEEDED and cannot be redriven"),
            (await _env.Actions.StopAsync(actor, new StopRequest(succeeded, new string('e', 257)), default), "error", "at most 256 characters"),
        ];

        foreach (var (result, field, says) in cases)
        {
            Assert.True(result.Errors?.ContainsKey(field) == true, $"expected an error at {field}; got {result.Kind}: {string.Join("; ", result.Errors?.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}") ?? [])}");
            Assert.Contains(says, result.Errors![field][0], StringComparison.Ordinal);
        }

        var unknown = await _env.Actions.RedriveAsync(actor, "arn:aws:states:us-east-1:000000000000:execution:flaky:no-such-run", default);
        Assert.Equal(OperationResultKind.NotFound, unknown.Kind);
        Assert.Empty(await _env.LedgerAsync());
        Assert.Equal(0, await _env.ExecutionCountAsync(contract));
    }

    [Fact]
    public async Task A_start_AWS_throttles_past_the_clients_retries_stays_pending_and_recovery_sends_it_once()
    {
        var flaky = await _env.CreateAsync("flaky", OperationsSandbox.FlakyDefinition);
        _env.Sandbox.Faults.Inject(new ApiFault("StartExecution", ApiFaultKind.Throttle, 4));

        var result = await _env.Actions.StartAsync(OperationsSandbox.Operator, new StartRequest(flaky, """{"n":1}""", Name: "throttled-1"), CancellationToken.None);

        Assert.Equal(OperationResultKind.Accepted, result.Kind);
        Assert.Equal(OperationStatus.Pending, result.Operation!.Status);
        Assert.Contains("ThrottlingException", result.Operation.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, await _env.ExecutionCountAsync(flaky));

        // Recovery leaves it alone until the retry time, then sends the same request.
        var recovery = _env.Harness.Get<OperationRecoveryJob>();
        await recovery.RunAsync(CancellationToken.None);
        Assert.Equal(0, await _env.ExecutionCountAsync(flaky));
        var done = await Eventually.NotNullAsync("recovery to start the throttled execution", async () =>
        {
            await recovery.RunAsync(CancellationToken.None);
            var operation = Assert.Single(await _env.LedgerAsync());
            return operation.Status == OperationStatus.Succeeded ? operation : null;
        }, TimeSpan.FromSeconds(20));

        Assert.Equal(2, done.Attempts);
        Assert.EndsWith(":throttled-1", done.ResultArn, StringComparison.Ordinal);
        Assert.Equal(1, await _env.ExecutionCountAsync(flaky));
    }

    [Fact]
    public async Task The_callback_rescue_finds_the_waiting_task_and_a_failure_fails_it_with_the_operators_error()
    {
        var waiter = await _env.CreateAsync("waiter", OperationsSandbox.WaiterDefinition);
        var waiting = (await _env.Sfn.StartExecutionAsync(new() { StateMachineArn = waiter, Name = "callback-2", Input = "{}" })).ExecutionArn;
        await WaitForCallbackAsync(waiting);

        var state = await _env.Actions.GetCallbackStateAsync(waiting, CancellationToken.None);
        var empty = await _env.Actions.SendCallbackAsync(OperationsSandbox.Admin, new CallbackRequest(waiting, Success: false), CancellationToken.None);
        var failed = await _env.Actions.SendCallbackAsync(OperationsSandbox.Admin, new CallbackRequest(waiting, Success: false, Error: "BatchOps.WorkerLost", Cause: "task killed"), CancellationToken.None);
        var again = await _env.Actions.SendCallbackAsync(OperationsSandbox.Admin, new CallbackRequest(waiting, Success: false, Error: "BatchOps.WorkerLost", Cause: "task killed"), CancellationToken.None);

        Assert.Equal("Wait for worker", state.Waiting!.StateName);
        Assert.True(state.CanRescue);
        Assert.Equal(OperationResultKind.Invalid, empty.Kind);
        Assert.True(failed.Succeeded, failed.Message);
        Assert.True(again.Kind == OperationResultKind.Conflict || again.Operation?.Repeated == true, $"{again.Kind} {again.Message}");
        await _env.Sandbox.StepFunctions.WhenFinishedAsync(waiting, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var described = await _env.DescribeAsync(waiting);
        Assert.Equal(ExecutionStatus.FAILED, described.Status);
        Assert.Equal("BatchOps.WorkerLost", described.Error);
    }

    private async Task WaitForCallbackAsync(string executionArn) =>
        await Eventually.WaitUntilAsync(
            $"{executionArn} to wait for its task token",
            async () => await _env.Actions.GetCallbackStateAsync(executionArn, CancellationToken.None),
            state => state.Waiting is not null,
            TimeSpan.FromSeconds(20),
            state => state.Reason ?? "");
}
