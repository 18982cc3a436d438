using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>
/// The checked-in synthesized CDK template (src/Infrastructure/synth) deployed into the sandbox and run with the real
/// worker, with IAM enforced: every integration runs as its state machine's role, the worker as its task role.
/// </summary>
public abstract class CdkSandboxTests : IAsyncLifetime
{
    /// <summary>The template to deploy: the synthesized one, or a test's copy of it.</summary>
    protected virtual string Template => TemplateCopies.Synthesized;

    /// <summary>Clients signed with the sandbox's administrator key (the test acts as the account's administrator).</summary>
    protected TestClients Clients => AdministratorClients(Server.Endpoint);

    public static TestClients AdministratorClients(Uri endpoint) => new(endpoint, o =>
    {
        o.AccessKeyId = SandboxCredentials.AdministratorAccessKeyId;
        o.SecretAccessKey = SandboxCredentials.AdministratorSecretAccessKey;
    });

    /// <summary>How much faster than real time the sandbox clock runs (backoff waits); the worker runs in real time.</summary>
    protected virtual double TimeScale => 100;

    protected SandboxServer Server { get; private set; } = null!;
    protected IAmazonStepFunctions Sfn { get; private set; } = null!;
    protected string BatchJob { get; private set; } = null!;
    protected Dictionary<string, string> Machines { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new EcsSandboxOptions();
        options.Images[SandboxImages.WorkerImage] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        Server = await SandboxServer.StartAsync("http://127.0.0.1:0", new ScaledTimeProvider(TimeScale), ecsOptions: options, enforceIam: true);
        var result = Server.Deploy(Template);
        Machines = result.Created.Values.Where(v => v.Contains(":stateMachine:", StringComparison.Ordinal)).ToDictionary(v => v[(v.LastIndexOf(':') + 1)..]);
        BatchJob = Machines["batch-job"];
        Sfn = Clients.StepFunctions;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected Task<(DescribeExecutionResponse Execution, List<HistoryEvent> Events)> RunAsync(string input) => RunAsync("batch-job", input);

    protected async Task<(DescribeExecutionResponse Execution, List<HistoryEvent> Events)> RunAsync(string machine, string input)
    {
        var started = await Sfn.StartExecutionAsync(new() { StateMachineArn = Machines[machine], Input = input });
        await Server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (await Sfn.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn }),
                (await Sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn, MaxResults = 1000 })).Events);
    }
}

public sealed class CdkWorkflowTests : CdkSandboxTests
{
    [Fact]
    public async Task Batch_job_succeeds_and_notifies()
    {
        var (execution, events) = await RunAsync("""{"commands":["report","--date","2026-11-21"],"environment":[{"Name":"LOG_LEVEL","Value":"debug"}]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        Assert.Single(events, e => e.Type == "TaskSubmitted");
        Assert.Contains(events, e => e.StateExitedEventDetails?.Name == "Notify success");
    }

    [Fact]
    public async Task Batch_job_retries_an_image_pull_failure_then_succeeds()
    {
        Server.Ecs.InjectFault("batchops-worker", EcsFault.CannotPullContainer);

        var (execution, events) = await RunAsync("""{"commands":["echo","retry me"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        Assert.Equal(2, events.Count(e => e.StateEnteredEventDetails?.Name == "Run worker"));
        Assert.Contains(events, e => e.StateEnteredEventDetails?.Name == "Wait before retry");
    }

    [Fact]
    public async Task Batch_job_retries_exit_code_2_up_to_the_limit_then_fails_at_its_last_attempt_with_the_task_as_cause()
    {
        var (execution, events) = await RunAsync("""{"commands":["fail","2","still down"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        Assert.Equal("States.TaskFailed", execution.Error);
        Assert.Contains("\"ExitCode\":2", execution.Cause, StringComparison.Ordinal);
        Assert.Equal(2, events.Count(e => e.StateEnteredEventDetails?.Name == "Run worker"));
        Assert.Equal(1, events.Count(e => e.StateEnteredEventDetails?.Name == "Run worker (last attempt)"));
        // It failed at the task, not at a Fail state: that is what makes a redrive run the worker again.
        Assert.DoesNotContain(events, e => e.Type == "FailStateEntered");
    }

    [Fact]
    public async Task Batch_job_does_not_retry_a_permanent_failure_and_ends_in_its_fail_state()
    {
        var (execution, events) = await RunAsync("""{"commands":["fail","1","bad input"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        Assert.Equal(1, events.Count(e => e.StateEnteredEventDetails?.Name == "Run worker"));
        Assert.Contains(events, e => e.StateExitedEventDetails?.Name == "Notify failure");
        Assert.Contains(events, e => e.Type == "FailStateEntered");
    }

    [Fact]
    public async Task A_batch_job_out_of_retries_redriven_after_its_fault_is_cleared_runs_the_worker_again_and_succeeds()
    {
        Server.Ecs.InjectFault("batchops-worker", EcsFault.CannotPullContainer, count: 10);
        var (failed, _) = await RunAsync("""{"commands":["echo","after the fault"],"environment":[]}""");
        Assert.Equal(ExecutionStatus.FAILED, failed.Status);
        Server.Ecs.ClearFaults("batchops-worker");

        await Sfn.RedriveExecutionAsync(new() { ExecutionArn = failed.ExecutionArn });
        await Server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var redriven = await Sfn.DescribeExecutionAsync(new() { ExecutionArn = failed.ExecutionArn });
        Assert.Equal(ExecutionStatus.SUCCEEDED, redriven.Status);
        var events = (await Sfn.GetExecutionHistoryAsync(new() { ExecutionArn = failed.ExecutionArn, MaxResults = 1000 })).Events;
        var afterRedrive = events.SkipWhile(e => e.Type != "ExecutionRedriven").ToList();
        // Resumed from the state that failed: the last attempt ran again; nothing before it did.
        Assert.Equal("Run worker (last attempt)", afterRedrive.First(e => e.Type == "TaskStateEntered").StateEnteredEventDetails!.Name);
        Assert.DoesNotContain(afterRedrive, e => e.StateEnteredEventDetails?.Name is "Prepare" or "Run worker");
    }

    [Fact]
    public async Task Nightly_batch_runs_three_branches_then_the_final_job()
    {
        var (execution, events) = await RunAsync("nightly-batch", """{"commands":["echo","final"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        Assert.Contains(events, e => e.StateEnteredEventDetails?.Name == "Final job");
        var children = await Sfn.ListExecutionsAsync(new() { StateMachineArn = BatchJob });
        Assert.Equal(3, children.Executions.Count);
    }

    [Fact]
    public async Task Nightly_batch_skips_the_final_job_when_a_branch_fails()
    {
        Server.Ecs.InjectFault("batchops-worker", EcsFault.ResourceInitialization, count: 20);

        var (execution, events) = await RunAsync("nightly-batch", """{"commands":["echo","final"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        Assert.Equal("States.TaskFailed", execution.Error);
        Assert.DoesNotContain(events, e => e.StateEnteredEventDetails?.Name == "Final job");
    }

    [Fact]
    public async Task Orchestrator_stops_at_the_first_child_that_fails()
    {
        Server.Ecs.InjectFault("batchops-worker", EcsFault.ResourceInitialization, count: 10);

        var (execution, events) = await RunAsync("orchestrator", """{"commands":[],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        Assert.Equal("States.TaskFailed", execution.Error);
        Assert.Contains(events, e => e.StateEnteredEventDetails?.Name == "Extract");
        Assert.DoesNotContain(events, e => e.StateEnteredEventDetails?.Name == "Transform");
    }

    [Fact]
    public async Task Orchestrator_runs_children_in_order_and_can_resume_from_a_step()
    {
        var (full, _) = await RunAsync("orchestrator", """{"commands":[],"environment":[]}""");
        var (resumed, events) = await RunAsync("orchestrator", """{"commands":[],"environment":[],"resumeFrom":"Report"}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, full.Status);
        Assert.Equal(ExecutionStatus.SUCCEEDED, resumed.Status);
        Assert.DoesNotContain(events, e => e.StateEnteredEventDetails?.Name is "Extract" or "Transform");
        var children = (await Sfn.ListExecutionsAsync(new() { StateMachineArn = BatchJob })).Executions.Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, children.Count);
        Assert.Contains(children, n => n.EndsWith("-extract-r0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orchestrator")]
    [InlineData("nightly-batch")]
    public async Task A_redriven_parent_starts_new_children_named_for_its_redrive_and_succeeds(string machine)
    {
        // One out-of-memory stop (never retried) fails the first ECS task: orchestrator's extract child, or, as
        // nightly's branches start together, whichever of its children or its direct task asks first.
        Server.Ecs.InjectFault("batchops-worker", EcsFault.OutOfMemory, count: 1);
        var (failed, _) = await RunAsync(machine, """{"commands":["echo","final"],"environment":[]}""");
        Assert.Equal(ExecutionStatus.FAILED, failed.Status);

        await Sfn.RedriveExecutionAsync(new() { ExecutionArn = failed.ExecutionArn });
        await Server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var redriven = await Sfn.DescribeExecutionAsync(new() { ExecutionArn = failed.ExecutionArn });
        Assert.True(redriven.Status == ExecutionStatus.SUCCEEDED, $"{machine} after its redrive: {redriven.Status} {redriven.Error} {redriven.Cause}");
        Assert.Equal(1, redriven.RedriveCount);
        var children = (await Sfn.ListExecutionsAsync(new() { StateMachineArn = BatchJob })).Executions
            .Where(e => e.Name.StartsWith(failed.Name! + "-", StringComparison.Ordinal))
            .ToDictionary(e => e.Name[(failed.Name!.Length + 1)..], e => e.Status);
        // The redrive's children are new executions (-r1), and every one of them succeeded.
        var rerun = children.Where(c => c.Key.EndsWith("-r1", StringComparison.Ordinal)).ToList();
        Assert.Contains(rerun, c => c.Key == (machine == "orchestrator" ? "report-r1" : "final-r1"));
        Assert.All(rerun, c => Assert.Equal(ExecutionStatus.SUCCEEDED, c.Value));
        if (machine == "orchestrator")
        {
            Assert.Equal(["extract-r0", "extract-r1", "report-r1", "transform-r1"], children.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(ExecutionStatus.FAILED, children["extract-r0"]);
        }
    }

    [Fact]
    public async Task The_nightly_schedule_targets_nightly_batch_in_the_managed_group()
    {
        var scheduler = Clients.Scheduler;

        var schedule = await scheduler.GetScheduleAsync(new() { Name = "nightly-batch", GroupName = "batchops-managed" });

        Assert.Equal(Machines["nightly-batch"], schedule.Target!.Arn);
        Assert.Equal("Asia/Tokyo", schedule.ScheduleExpressionTimezone);
        Assert.Equal(3, schedule.Target.RetryPolicy!.MaximumRetryAttempts);
    }
}

/// <summary>
/// callback-job on a clock only 10 times faster: its 60 s heartbeat allowance must stay longer than the
/// real-time worker takes to start and call back.
/// </summary>
public sealed class CdkCallbackWorkflowTests : CdkSandboxTests
{
    protected override double TimeScale => 10;

    [Fact]
    public async Task Callback_job_completes_through_the_workers_callback_with_the_contract_environment()
    {
        var (execution, _) = await RunAsync("callback-job", """{"commands":["echo","called back"],"environment":[{"Name":"ECHO_ENV","Value":"LOG_LEVEL,TASK_TOKEN"},{"Name":"LOG_LEVEL","Value":"debug"}]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        var output = System.Text.Json.Nodes.JsonNode.Parse(execution.Output!)!;
        Assert.Equal("debug", output["environment"]!["LOG_LEVEL"]!.GetValue<string>());
        Assert.Equal("***", output["environment"]!["TASK_TOKEN"]!.GetValue<string>());
    }

    [Fact]
    public async Task Callback_job_retries_a_retryable_failure_reported_by_the_worker_then_fails()
    {
        var (execution, events) = await RunAsync("callback-job", """{"commands":["fail","2","queue unavailable"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        Assert.Equal("BatchOps.Retryable", execution.Error);
        Assert.Equal("queue unavailable", execution.Cause);
        Assert.Equal(3, events.Count(e => e.Type == "TaskScheduled"));
    }
}
