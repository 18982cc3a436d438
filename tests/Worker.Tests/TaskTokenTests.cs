using System.Text.Json;
using BatchOps.TestSupport;
using BatchOps.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchOps.Worker.Tests;

/// <summary>The WAIT_FOR_TASK_TOKEN callbacks, against a loopback Step Functions endpoint.</summary>
public sealed class TaskTokenTests : IAsyncLifetime
{
    private const string Token = "AQCEAAAAKgAAAAMAAAAAAAAAAbTestTaskToken==";
    private LoopbackAwsServer _sfn = null!;

    public async Task InitializeAsync() => _sfn = await LoopbackAwsServer.StartAsync();

    public async Task DisposeAsync() => await _sfn.DisposeAsync();

    private Task<(int ExitCode, ChildProcess Process)> RunAsync(string[] arguments, Dictionary<string, string?>? environment = null)
    {
        environment ??= [];
        environment["TASK_TOKEN"] = Token;
        return WorkerProcess.RunAsync(arguments, environment, _sfn.Endpoint);
    }

    private List<(string Operation, JsonElement Body, CapturedRequest Request)> Calls() =>
        [.. _sfn.Requests.Select(r => (r.Headers["X-Amz-Target"].Replace("AWSStepFunctions.", string.Empty, StringComparison.Ordinal), JsonDocument.Parse(r.Body).RootElement.Clone(), r))];

    [Fact]
    public async Task Success_sends_a_signed_SendTaskSuccess_with_the_jobs_output()
    {
        var (exitCode, _) = await RunAsync(["report", "--date", "2026-11-21"]);

        Assert.Equal(0, exitCode);
        var (operation, body, request) = Assert.Single(Calls());
        Assert.Equal("SendTaskSuccess", operation);
        Assert.Equal("application/x-amz-json-1.0", request.Headers["Content-Type"]);
        Assert.Equal(Token, body.GetProperty("taskToken").GetString());
        var output = JsonDocument.Parse(body.GetProperty("output").GetString()!).RootElement;
        Assert.Equal(1325, output.GetProperty("records").GetInt32());
        var authorization = SignatureCheck.AssertSigned(request, WorkerProcess.AccessKeyId, WorkerProcess.SecretAccessKey);
        Assert.Equal("states", authorization.Service);
        Assert.Equal("us-east-1", authorization.Region);
    }

    [Theory]
    [InlineData("2", 2, "BatchOps.Retryable")]
    [InlineData("1", 1, "BatchOps.Fatal")]
    public async Task Failure_sends_SendTaskFailure_with_a_stable_error_name_and_the_message_as_cause(string code, int expected, string error)
    {
        var (exitCode, _) = await RunAsync(["fail", code, "upstream API returned 503"]);

        Assert.Equal(expected, exitCode);
        var (operation, body, request) = Assert.Single(Calls());
        Assert.Equal("SendTaskFailure", operation);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal("upstream API returned 503", body.GetProperty("cause").GetString());
        SignatureCheck.AssertSigned(request, WorkerProcess.AccessKeyId, WorkerProcess.SecretAccessKey);
    }

    [Fact]
    public async Task Heartbeats_carry_the_token_while_the_job_runs()
    {
        using var process = WorkerProcess.Start(["sleep", "60"], new Dictionary<string, string?> { ["TASK_TOKEN"] = Token, ["HEARTBEAT_SECONDS"] = "0.9" }, _sfn.Endpoint);

        await Eventually.PollAsync("two heartbeats from the sleeping worker", () => Calls().Count(c => c.Operation == "SendTaskHeartbeat"), n => n >= 2);
        process.Terminate();
        await process.WaitAsync(TimeSpan.FromSeconds(10));

        var calls = Calls();
        Assert.All(calls.Where(c => c.Operation == "SendTaskHeartbeat"), h => Assert.Equal(Token, h.Body.GetProperty("taskToken").GetString()));
        Assert.Equal("SendTaskFailure", calls[^1].Operation);
    }

    [Fact]
    public void The_heartbeat_interval_is_a_third_of_HEARTBEAT_SECONDS()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("TASK_TOKEN", Token), new("HEARTBEAT_SECONDS", "1.5")]).Build();

        var (settings, error) = WorkerSettings.From(configuration);

        Assert.Null(error);
        Assert.Equal(TimeSpan.FromSeconds(0.5), settings!.HeartbeatInterval);
    }

    [Fact]
    public async Task Heartbeats_wait_their_interval_after_each_beat_and_stop_with_the_job()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero));
        var reporter = new TaskTokenReporter(new TestClients(_sfn.Endpoint).StepFunctions, clock, NullLogger<TaskTokenReporter>.Instance);
        using var lost = new CancellationTokenSource();
        using var jobDone = new CancellationTokenSource();

        var beating = reporter.HeartbeatAsync(Token, TimeSpan.FromSeconds(0.5), lost, jobDone.Token);
        for (var beat = 1; beat <= 3; beat++)
        {
            Assert.Equal(TimeSpan.FromSeconds(0.5), await clock.WaitForTimerAsync(beat, "the wait before a heartbeat"));
            Assert.Equal(beat - 1, Calls().Count);
            clock.Advance(TimeSpan.FromSeconds(0.5));
            await Eventually.PollAsync($"heartbeat {beat}", () => Calls().Count, n => n == beat);
        }

        await jobDone.CancelAsync();
        await beating.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(Calls(), c => Assert.Equal("SendTaskHeartbeat", c.Operation));
        Assert.False(lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_throttled_callback_is_retried_until_it_is_accepted()
    {
        _sfn.EnqueueJson(400, """{"__type":"com.amazonaws.swf.base.model#ThrottlingException","message":"Rate exceeded"}""");
        _sfn.EnqueueJson(503, """{"__type":"ServiceUnavailable","message":"try again"}""");

        var (exitCode, _) = await RunAsync(["echo", "x"]);

        Assert.Equal(0, exitCode);
        var calls = Calls();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("SendTaskSuccess", c.Operation));
        Assert.All(calls, c => Assert.Equal(calls[0].Body.GetRawText(), c.Body.GetRawText()));
    }

    [Fact]
    public async Task A_timed_out_token_is_reported_clearly_and_not_retried()
    {
        _sfn.EnqueueJson(400, """{"__type":"com.amazonaws.swf.base.model#TaskTimedOut","message":"Task Timed Out: 'arn:aws:states:us-east-1:123456789012:execution:nightly:run-1'"}""");

        var (exitCode, process) = await RunAsync(["echo", "x"]);

        Assert.Equal(1, exitCode);
        Assert.Single(Calls());
        Assert.Contains(process.Logs(), l => l.GetProperty("message").GetString()!.Contains("SendTaskSuccess rejected: TaskTimedOut", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_token_on_heartbeat_stops_the_job()
    {
        _sfn.EnqueueJson(400, """{"__type":"com.amazonaws.swf.base.model#TaskTimedOut","message":"Task Timed Out"}""");

        // sleep 60: RunAsync fails if the process outlives its 30 s allowance, i.e. if the dead token did not stop it.
        var (exitCode, _) = await RunAsync(["sleep", "60"], new() { ["HEARTBEAT_SECONDS"] = "0.9" });

        Assert.Equal(1, exitCode);
        var (operation, _, _) = Assert.Single(Calls());
        Assert.Equal("SendTaskHeartbeat", operation);
    }

    [Fact]
    public async Task Output_over_256_KiB_is_rejected_with_a_clear_failure_instead_of_truncated()
    {
        var big = new string('x', 100_000);

        var (exitCode, _) = await RunAsync(["echo", big, big, big]);

        Assert.Equal(1, exitCode);
        var (operation, body, _) = Assert.Single(Calls());
        Assert.Equal("SendTaskFailure", operation);
        Assert.Equal("BatchOps.OutputTooLarge", body.GetProperty("error").GetString());
        Assert.Contains("at most 262144", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_reports_an_interrupted_retryable_failure_and_exits_143()
    {
        var (exitCode, process) = await WorkerProcess.TerminateWhileSleepingAsync(new Dictionary<string, string?> { ["TASK_TOKEN"] = Token }, _sfn.Endpoint);
        using var _ = process;

        Assert.Equal(143, exitCode);
        var (operation, body, _) = Assert.Single(Calls());
        Assert.Equal("SendTaskFailure", operation);
        Assert.Equal("BatchOps.Interrupted", body.GetProperty("error").GetString());
    }
}
