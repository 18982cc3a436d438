using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Tests.Support;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>History parsing against executions recorded on real AWS.</summary>
public sealed class ExecutionHistoryAnalyzerTests
{
    private const string Arn = "arn:aws:states:us-east-1:111111111111:execution:sm:recorded";

    [Fact]
    public void A_successful_run_task_sync_is_one_attempt_with_its_task_and_exit_code_0()
    {
        var events = RecordedHistories.Load("services/test_ecs_task_service.snapshot.json", "test_run_task_sync");

        var run = Assert.Single(ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns);

        Assert.Equal(("ecstask", 1, TaskRunOutcome.Succeeded), (run.StateName, run.Attempt, run.Outcome));
        Assert.Equal(("ecs", "runTask.sync"), (run.ResourceType, run.Resource));
        Assert.Equal("<task_arn:1>", run.TaskArn);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(StopReasonClass.Succeeded, run.ReasonClass);
        Assert.Equal(events.Single(e => e.Type == "TaskScheduled").Timestamp, run.ScheduledAt);
        Assert.Equal(events.Single(e => e.Type == "TaskSucceeded").Timestamp, run.EndedAt);
    }

    [Fact]
    public void A_failed_run_task_sync_reads_stop_code_stopped_reason_and_classifies_an_image_pull()
    {
        var events = RecordedHistories.Load("services/test_ecs_task_service.snapshot.json", "test_run_task_sync_raise_failure");

        var analysis = ExecutionHistoryAnalyzer.Analyze(Arn, events);

        var run = Assert.Single(analysis.TaskRuns);
        Assert.Equal(TaskRunOutcome.Failed, run.Outcome);
        Assert.Equal("States.TaskFailed", run.Error);
        Assert.Equal("TaskFailedToStart", run.StopCode);
        Assert.StartsWith("CannotPullContainerError: pull image manifest has been retried", run.StoppedReason, StringComparison.Ordinal);
        Assert.Null(run.ExitCode);
        Assert.Equal(StopReasonClass.ImagePull, run.ReasonClass);
        Assert.True(run.Retryable);
        Assert.Equal(StopReasonClass.ImagePull, analysis.LastFailureClass);
    }

    [Theory]
    [InlineData("test_run_task")]
    [InlineData("test_run_task_raise_failure")]
    public void A_plain_run_task_takes_the_task_arn_from_the_tasks_array(string test)
    {
        var events = RecordedHistories.Load("services/test_ecs_task_service.snapshot.json", test);

        var run = Assert.Single(ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns);

        Assert.Equal(("ecs", "runTask"), (run.ResourceType, run.Resource));
        Assert.Equal("<task_arn:1>", run.TaskArn);
        Assert.Equal(TaskRunOutcome.Succeeded, run.Outcome);
    }

    [Theory]
    [InlineData("test_start_execution_sync", TaskRunOutcome.Succeeded)]
    [InlineData("test_start_execution_sync2", TaskRunOutcome.Succeeded)]
    [InlineData("test_start_execution_sync_delegate_failure", TaskRunOutcome.Failed)]
    public void A_start_execution_sync_records_the_child_execution(string test, TaskRunOutcome outcome)
    {
        var events = RecordedHistories.Load("callback/test_callback.snapshot.json", test);

        var run = Assert.Single(ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns);

        Assert.Equal("states", run.ResourceType);
        Assert.Equal(outcome, run.Outcome);
        Assert.NotNull(run.ChildExecutionArn);
        Assert.Contains("execution", run.ChildExecutionArn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("callback/test_callback.snapshot.json", "test_sqs_wait_for_task_token_timeout")]
    [InlineData("timeouts/test_heartbeats.snapshot.json", "test_heartbeat_timeout")]
    [InlineData("timeouts/test_timeouts.snapshot.json", "test_fixed_timeout_service_lambda")]
    public void A_timed_out_task_is_a_timed_out_attempt_with_the_states_timeout_error(string file, string test)
    {
        var events = RecordedHistories.Load(file, test);

        var run = Assert.Single(ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns);

        Assert.Equal(TaskRunOutcome.TimedOut, run.Outcome);
        Assert.Equal("States.Timeout", run.Error);
        Assert.Equal(StopReasonClass.Other, run.ReasonClass);
    }

    [Fact]
    public void A_callback_failure_keeps_the_error_and_cause_the_worker_sent()
    {
        var events = RecordedHistories.Load("callback/test_callback.snapshot.json", "test_sqs_failure_in_wait_for_task_token");
        var failed = events.Single(e => e.Type == "TaskFailed").TaskFailedEventDetails!;

        var run = Assert.Single(ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns);

        Assert.Equal(TaskRunOutcome.Failed, run.Outcome);
        Assert.Equal(failed.Error, run.Error);
        Assert.Equal(failed.Cause, run.Cause);
    }

    [Fact]
    public void Two_task_states_in_a_chain_are_two_states_with_one_attempt_each()
    {
        var events = RecordedHistories.Load("callback/test_callback.snapshot.json", "test_sqs_wait_for_task_token_call_chain");

        var runs = ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns;

        Assert.Equal(2, runs.Count);
        Assert.Equal(2, runs.Select(r => r.StateName).Distinct().Count());
        Assert.All(runs, r => Assert.Equal(1, r.Attempt));
        Assert.All(runs, r => Assert.Equal(TaskRunOutcome.Succeeded, r.Outcome));
    }

    [Fact]
    public void Interleaved_map_iterations_are_attributed_through_previous_event_ids()
    {
        var events = RecordedHistories.Load("timeouts/test_timeouts.snapshot.json", "test_service_lambda_map_timeout");

        var runs = ExecutionHistoryAnalyzer.Analyze(Arn, events).TaskRuns;

        Assert.Equal(events.Count(e => e.Type == "TaskScheduled"), runs.Count);
        Assert.Equal(Enumerable.Range(1, runs.Count), runs.Select(r => r.Attempt).Order());
        // Every iteration's task ended: none is left running or attributed to another iteration's end.
        Assert.All(runs, r => Assert.NotEqual(TaskRunOutcome.Running, r.Outcome));
        Assert.Equal(events.Count(e => e.Type is "TaskTimedOut" or "TaskSucceeded" or "TaskFailed"), runs.Count(r => r.EndedAt is not null && r.Outcome != TaskRunOutcome.Aborted));
    }
}
