using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Executions.Detail;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Ecs;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>
/// The checked-in CDK workflows run in the sandbox with the real worker; the sync turns what happened into task runs,
/// stopped tasks and links, the way the pages show them.
/// </summary>
public sealed class WorkflowSyncTests : IAsyncLifetime
{
    private ManualClock _clock = null!;
    private SyncSandbox _env = null!;

    public async Task InitializeAsync()
    {
        // The sandbox's clock moves only when a test advances it: the workflow's backoff waits take exactly as long as
        // the test says, whatever the machine's load, while the worker processes run in real time.
        _clock = new ManualClock(new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero));
        // The sync signs as the template's dashboard task role: what it reads here, that role may read on AWS.
        _env = await SyncSandbox.StartAsync(_clock, TemplateCopies.Synthesized, (_, _) => SandboxClients.DashboardRole);
    }

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Every_attempt_of_a_retried_batch_job_is_a_task_run_with_its_stop_reason_exit_code_and_backoff()
    {
        _env.Sandbox.Ecs.InjectFault("batchops-worker", EcsFault.CannotPullContainer);
        var started = await _env.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = _env.Machines["batch-job"], Name = "sync-inventory", Input = """{"commands":["fail","2","upstream returned 503"],"environment":[]}""" });
        var arn = started.ExecutionArn;
        // The workflow backs off 10 s after the first failure and 20 s after the second: let exactly that much pass.
        foreach (var (retry, backoff) in new[] { (1, 10), (2, 20) })
        {
            await WaitForEventsAsync(arn, "WaitStateEntered", retry);
            _clock.Advance(TimeSpan.FromSeconds(backoff));
        }

        await _env.Sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));
        await SyncAllAsync();

        var detail = (await new ExecutionDetailQueries(_env.Database.Contexts).GetAsync(arn, CancellationToken.None))!;
        Assert.Equal("FAILED", detail.Execution.Status);
        Assert.Equal(StopReasonClass.ApplicationExit, detail.Execution.ReasonClass);
        var attempts = detail.TaskRuns.Where(r => r.StateName == "Run worker").OrderBy(r => r.Attempt).ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        // The last attempt is uncaught (so a redrive runs it again): the execution fails at the task, without the SNS
        // alert the non-retryable path sends, and the list's count is of ECS tasks only.
        // "Run worker (last attempt)" counts as an attempt of "Run worker".
        Assert.Equal(["Run worker", "Run worker", "Run worker"], detail.TaskRuns.OrderBy(r => r.ScheduledAt).Select(r => r.StateName));
        Assert.Equal(3, detail.Execution.EcsTaskCount);
        Assert.Equal(("TaskFailedToStart", StopReasonClass.ImagePull, (int?)null), (attempts[0].StopCode, attempts[0].ReasonClass!.Value, attempts[0].ExitCode));
        Assert.StartsWith("CannotPullContainerError", attempts[0].StoppedReason, StringComparison.Ordinal);
        Assert.All(attempts.Skip(1), a => Assert.Equal(("EssentialContainerExited", 2, StopReasonClass.ApplicationExit, true), (a.StopCode, a.ExitCode!.Value, a.ReasonClass!.Value, a.Retryable!.Value)));
        // The timeline reads the backoff from the history: exactly the 10 s and 20 s the workflow waited.
        Assert.Equal(10, attempts[0].DelayBeforeNextSeconds);
        Assert.Equal(20, attempts[1].DelayBeforeNextSeconds);
        Assert.Null(attempts[2].DelayBeforeNextSeconds);

        // ECS's own record of the same tasks, kept after ECS forgets them, linked back to the execution.
        var stopped = await new StoppedTaskQueries(_env.Database.Contexts, TimeProvider.System).GetPageAsync(new StoppedTasksFilter(), CancellationToken.None);
        var mine = stopped.Rows.Where(r => r.ExecutionArn == arn).OrderBy(r => r.Attempt).ToList();
        Assert.Equal(3, mine.Count);
        Assert.Equal([StopReasonClass.ImagePull, StopReasonClass.ApplicationExit, StopReasonClass.ApplicationExit], mine.Select(r => r.ReasonClass));
        Assert.Equal([null, 2, 2], mine.Select(r => r.ExitCode));
        Assert.All(mine, r => Assert.Equal("batchops-worker", r.Family));
    }

    [Fact]
    public async Task A_callback_job_run_is_linked_to_its_ecs_task_and_the_workers_error()
    {
        var arn = await RunAsync("callback-job", "reconcile", """{"commands":["fail","1","ledger locked"],"environment":[]}""");
        // The worker answers the token before its process exits, so the execution can end while ECS still has the task running.
        await WaitForNoRunningTasksAsync();

        await SyncAllAsync();

        var detail = (await new ExecutionDetailQueries(_env.Database.Contexts).GetAsync(arn, CancellationToken.None))!;
        var run = Assert.Single(detail.TaskRuns, r => r.ResourceType == "ecs");
        Assert.Equal(("runTask.waitForTaskToken", TaskRunOutcome.Failed, "BatchOps.Fatal"), (run.Resource, run.Outcome, run.Error));
        Assert.Equal((StopReasonClass.ApplicationExit, false), (run.ReasonClass!.Value, run.Retryable!.Value));
        // The exit code comes from ECS (the callback carries none): the captured stopped task supplies it.
        Assert.NotNull(run.TaskArn);
        Assert.Equal(1, detail.StoppedTasks[run.TaskArn!].ExitCode);
        var entry = Assert.Single(RetryTimeline.Build(detail), e => e.Resource?.StartsWith("ecs:", StringComparison.Ordinal) == true);
        Assert.Equal(1, entry.ExitCode);
    }

    [Fact]
    public async Task A_nightly_batch_links_parent_and_child_executions_both_ways()
    {
        var parent = await RunAsync("nightly-batch", "nightly", """{"commands":["echo","final"],"environment":[]}""");

        await SyncAllAsync();

        var queries = new ExecutionDetailQueries(_env.Database.Contexts);
        var detail = (await queries.GetAsync(parent, CancellationToken.None))!;
        Assert.Equal("SUCCEEDED", detail.Execution.Status);
        Assert.Equal(3, detail.Children.Count);
        foreach (var child in detail.Children)
        {
            Assert.Equal("SUCCEEDED", child.Status);
            Assert.Equal(parent, (await queries.GetAsync(child.Arn, CancellationToken.None))!.Parent!.Arn);
        }
    }

    [Fact]
    public async Task A_rerun_names_the_execution_it_reruns_and_both_show_the_link()
    {
        var original = await RunAsync("batch-job", "import", """{"commands":["fail","1","bad header"],"environment":[]}""");
        var rerun = await RunAsync("batch-job", "import-rerun-1", $$$"""{"commands":["echo","ok"],"environment":[],"_batchops":{"rerunOf":"{{{original}}}"}}""");

        await SyncAllAsync();

        var queries = new ExecutionDetailQueries(_env.Database.Contexts);
        Assert.Equal(original, (await queries.GetAsync(rerun, CancellationToken.None))!.RerunOf!.Arn);
        var detail = (await queries.GetAsync(original, CancellationToken.None))!;
        Assert.Equal(rerun, Assert.Single(detail.Reruns).Arn);
        Assert.Contains(RetryTimeline.Build(detail), e => e.Kind == TimelineItemKind.Rerun && e.Execution!.Arn == rerun);
    }

    private async Task<string> RunAsync(string machine, string name, string input)
    {
        var started = await _env.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = _env.Machines[machine], Name = name, Input = input });
        await _env.Sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return started.ExecutionArn;
    }

    private Task<List<HistoryEvent>> WaitForEventsAsync(string executionArn, string type, int count) =>
        Eventually.WaitUntilAsync(
            $"{count} {type} events in {executionArn}",
            async () => (await _env.StepFunctions.GetExecutionHistoryAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = 1000 })).Events,
            events => events.Count(e => e.Type == type) >= count,
            describe: events => string.Join(", ", events.Select(e => e.Type)));

    private async Task WaitForNoRunningTasksAsync()
    {
        var ecs = SandboxClients.Administrator(_env.Sandbox.Endpoint).Ecs;
        await Eventually.WaitUntilAsync(
            "every ECS task to stop",
            async () =>
            {
                var running = new List<string>();
                foreach (var cluster in (await ecs.ListClustersAsync(new())).ClusterArns ?? [])
                {
                    running.AddRange((await ecs.ListTasksAsync(new() { Cluster = cluster, DesiredStatus = "RUNNING" })).TaskArns ?? []);
                }

                return running;
            },
            running => running.Count == 0,
            describe: running => "still running: " + string.Join(", ", running));
    }

    private async Task SyncAllAsync()
    {
        await _env.Sync.Indexer.RunAsync(CancellationToken.None);
        while (await _env.Sync.Histories.SyncPendingAsync(CancellationToken.None) > 0)
        {
        }

        await _env.Sync.StoppedTasks.RunAsync(CancellationToken.None);
    }
}
