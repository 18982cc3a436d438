using BatchOps.TestSupport;
using BatchOps.Worker.Jobs;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchOps.Worker.Tests;

public sealed class JobTests
{
    [Fact]
    public async Task Echo_prints_its_arguments_and_the_chosen_environment_and_succeeds()
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(
            ["echo", "export", "--date", "2026-11-21"],
            new Dictionary<string, string?> { ["ECHO_ENV"] = "LOG_LEVEL,API_SECRET", ["LOG_LEVEL"] = "debug", ["API_SECRET"] = "hunter2" });

        Assert.Equal(0, exitCode);
        var output = process.Output();
        Assert.Equal(["export", "--date", "2026-11-21"], output.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("debug", output.GetProperty("environment").GetProperty("LOG_LEVEL").GetString());
        Assert.Equal("***", output.GetProperty("environment").GetProperty("API_SECRET").GetString());
        Assert.DoesNotContain(process.StandardOutput, line => line.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_returns_the_same_result_for_the_same_date()
    {
        var (first, a) = await WorkerProcess.RunAsync(["report", "--date", "2026-11-21"]);
        var (second, b) = await WorkerProcess.RunAsync(["report", "--date", "2026-11-21"]);
        var (_, other) = await WorkerProcess.RunAsync(["report", "--date", "2026-11-22"]);

        Assert.Equal(0, first);
        Assert.Equal(0, second);
        Assert.Equal("2026-11-21", a.Output().GetProperty("date").GetString());
        Assert.Equal(1325, a.Output().GetProperty("records").GetInt32());
        Assert.Equal(a.Output().GetProperty("checksum").GetString(), b.Output().GetProperty("checksum").GetString());
        Assert.NotEqual(a.Output().GetProperty("checksum").GetString(), other.Output().GetProperty("checksum").GetString());
    }

    [Theory]
    [InlineData("1", 1, "BatchOps.Fatal")]
    [InlineData("2", 2, "BatchOps.Retryable")]
    [InlineData("7", 7, "BatchOps.Fatal")]
    public async Task Fail_exits_with_the_requested_code_and_names_the_error(string argument, int expected, string errorName)
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(["fail", argument, "disk full"]);

        Assert.Equal(expected, exitCode);
        var failure = process.Logs().Single(l => l.GetProperty("level").GetString() == "Error");
        Assert.Equal(errorName, failure.GetProperty("error").GetString());
        Assert.Equal("disk full", failure.GetProperty("cause").GetString());
    }

    [Fact]
    public async Task Sleep_succeeds_with_the_seconds_it_slept()
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(["sleep", "0.5"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(0.5, process.Output().GetProperty("sleptSeconds").GetDouble());
    }

    [Fact]
    public async Task Sleep_asks_the_clock_for_exactly_its_seconds_and_finishes_only_when_they_have_passed()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero));
        var context = new JobContext("sleep", ["2.5"], _ => null, NullLogger.Instance, clock);

        var sleeping = new SleepJob().RunAsync(context, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(2.5), await clock.WaitForTimerAsync(1, "the sleep job's wait"));
        clock.Advance(TimeSpan.FromSeconds(2.4));
        Assert.False(sleeping.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal(2.5, (await sleeping.WaitAsync(TimeSpan.FromSeconds(10)))!["sleptSeconds"]!.GetValue<double>());
    }

    [Fact]
    public async Task Allocate_touches_the_requested_memory_then_succeeds()
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(["allocate", "64", "0"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(64, process.Output().GetProperty("allocatedMiB").GetInt32());
    }

    [Theory]
    [InlineData(new string[0], "no job given")]
    [InlineData(new[] { "transmogrify" }, "unknown job 'transmogrify'")]
    [InlineData(new[] { "sleep", "soon" }, "sleep takes one argument")]
    [InlineData(new[] { "report", "--date", "2026-13-01" }, "'2026-13-01' is not a date")]
    [InlineData(new[] { "report" }, "report needs --date")]
    [InlineData(new[] { "fail", "0" }, "exit code between 1 and 255")]
    [InlineData(new[] { "allocate", "-5" }, "size in MiB")]
    public async Task Bad_arguments_print_usage_on_stderr_and_exit_1(string[] arguments, string problem)
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(arguments);

        Assert.Equal(1, exitCode);
        Assert.Contains(problem, process.StandardError, StringComparison.Ordinal);
        Assert.Contains("usage: BatchOps.Worker <job> [args...]", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_contract_environment_passed_as_one_json_variable_reaches_the_job()
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(
            ["echo"],
            new Dictionary<string, string?> { ["ECHO_ENV"] = "REGION_CODE", ["BATCHOPS_ENVIRONMENT"] = """[{"Name":"REGION_CODE","Value":"eu \"west\""}]""" });

        Assert.Equal(0, exitCode);
        Assert.Equal("eu \"west\"", process.Output().GetProperty("environment").GetProperty("REGION_CODE").GetString());
    }

    [Fact]
    public async Task A_malformed_contract_environment_is_rejected_with_exit_1()
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(["echo"], new Dictionary<string, string?> { ["BATCHOPS_ENVIRONMENT"] = "[{oops" });

        Assert.Equal(1, exitCode);
        Assert.Contains("BATCHOPS_ENVIRONMENT must be a JSON array", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_worker_settings_are_rejected_before_the_job_runs()
    {
        var (exitCode, process) = await WorkerProcess.RunAsync(["echo"], new Dictionary<string, string?> { ["HEARTBEAT_SECONDS"] = "often" });

        Assert.Equal(1, exitCode);
        Assert.Contains("HEARTBEAT_SECONDS must be a positive number of seconds; got 'often'", process.StandardError, StringComparison.Ordinal);
        Assert.Empty(process.StandardOutput);
    }

    [Fact]
    public async Task Sigterm_during_a_long_job_cancels_it_and_exits_143()
    {
        // The job would sleep 60 s; the helper fails if the process is still running 10 s after SIGTERM.
        var (exitCode, process) = await WorkerProcess.TerminateWhileSleepingAsync();
        using var _ = process;

        Assert.Equal(143, exitCode);
        Assert.Contains(process.Logs(), l => l.GetProperty("message").GetString()!.Contains("SIGTERM received", StringComparison.Ordinal));
        Assert.Equal("BatchOps.Interrupted", process.Logs()[^1].GetProperty("error").GetString());
    }

    [Fact]
    public async Task Every_log_line_is_one_json_object_with_time_level_message_job_and_execution_ids()
    {
        var (_, process) = await WorkerProcess.RunAsync(
            ["echo", "hi"],
            new Dictionary<string, string?> { ["SFN_EXECUTION_ARN"] = "arn:aws:states:us-east-1:123456789012:execution:nightly:run-1", ["SFN_STATE_NAME"] = "Export" });

        Assert.NotEmpty(process.StandardOutput);
        foreach (var line in process.Logs())
        {
            Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
            Assert.False(string.IsNullOrEmpty(line.GetProperty("level").GetString()));
            Assert.False(string.IsNullOrEmpty(line.GetProperty("message").GetString()));
            Assert.Equal("echo", line.GetProperty("job").GetString());
            Assert.Equal("arn:aws:states:us-east-1:123456789012:execution:nightly:run-1", line.GetProperty("executionArn").GetString());
            Assert.Equal("Export", line.GetProperty("stateName").GetString());
        }
    }
}
