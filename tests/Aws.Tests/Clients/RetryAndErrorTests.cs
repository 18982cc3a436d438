using System.Net;
using System.Text.Json;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using BatchOps.Aws.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Aws.Tests.Clients;

/// <summary>Retries, backoff, retry safety and typed errors, against a real HTTP server on loopback.</summary>
public sealed class RetryAndErrorTests : IAsyncLifetime
{
    private const string ExecutionArn = "arn:aws:states:us-east-1:123456789012:execution:sm:run-1";
    private const string DescribeOk = """{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:run-1","stateMachineArn":"sm","status":"RUNNING","startDate":1}""";
    private LoopbackAwsServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackAwsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Reads_are_retried_on_503_429_and_ThrottlingException_with_growing_delays()
    {
        _server.EnqueueJson(503, "");
        _server.EnqueueJson(429, "");
        _server.EnqueueJson(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}""");
        _server.EnqueueJson(200, DescribeOk);
        var time = new RecordingTimeProvider();
        var clients = new TestClients(_server.Endpoint, time: time);

        var response = await clients.StepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = ExecutionArn });

        Assert.Equal(ExecutionStatus.RUNNING, response.Status);
        Assert.Equal(4, _server.Requests.Count);

        // Backoff ceilings are 20, 40 and 80 ms (base 20 ms, doubling); the jitter here is the ceiling. The delays are
        // read from the timers the client asked for, not from wall-clock gaps, which a busy machine stretches or shaves.
        Assert.Equal([20, 40, 80], time.Delays.Where(d => d < TimeSpan.FromSeconds(1)).Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task Retries_stop_at_max_attempts_with_the_last_error()
    {
        _server.Default = ctx => LoopbackAwsServer.Json(ctx, 503, """{"__type":"ServiceUnavailable","message":"down"}""");
        var clients = new TestClients(_server.Endpoint, o => o.MaxAttempts = 3);

        var error = await Assert.ThrowsAsync<AmazonStepFunctionsException>(() => clients.StepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = ExecutionArn }));

        Assert.Equal("ServiceUnavailable", error.ErrorCode);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task An_unnamed_StartExecution_is_not_retried_after_a_server_error()
    {
        _server.EnqueueJson(500, """{"__type":"InternalFailure","message":"boom"}""");
        var clients = new TestClients(_server.Endpoint);

        var error = await Assert.ThrowsAsync<AmazonStepFunctionsException>(() =>
            clients.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = "sm" }));

        Assert.Equal("InternalFailure", error.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Unsafe_writes_are_retried_only_when_throttled_because_AWS_did_not_act_on_them()
    {
        _server.EnqueueJson(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}""");
        _server.EnqueueJson(200, """{"executionArn":"e","startDate":1}""");
        var clients = new TestClients(_server.Endpoint);

        await clients.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = "sm" });

        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task A_named_StartExecution_and_a_redrive_are_retried_with_the_same_idempotency_key()
    {
        _server.EnqueueJson(500, "");
        _server.EnqueueJson(200, """{"executionArn":"e","startDate":1}""");
        _server.EnqueueJson(503, "");
        _server.EnqueueJson(200, """{"redriveDate":1}""");
        var clients = new TestClients(_server.Endpoint);

        await clients.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = "sm", Name = "nightly-2026-11-22" });
        await clients.StepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = ExecutionArn });

        var requests = _server.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        var tokens = requests[2..].Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("clientToken").GetString()).ToList();
        Assert.NotNull(tokens[0]);
        Assert.Equal(tokens[0], tokens[1]);
    }

    [Fact]
    public async Task RunTask_and_StopTask_are_retried_after_server_errors_because_both_are_idempotent()
    {
        // RunTask carries clientToken (an idempotency token in the ECS model, filled by the client);
        // stopping a task twice changes nothing.
        _server.EnqueueJson(500, """{"__type":"ServerException","message":"boom"}""");
        _server.EnqueueJson(200, """{"tasks":[],"failures":[]}""");
        _server.EnqueueJson(500, """{"__type":"ServerException","message":"boom"}""");
        _server.EnqueueJson(200, "{}");
        var clients = new TestClients(_server.Endpoint);

        await clients.Ecs.RunTaskAsync(new RunTaskRequest { TaskDefinition = "worker:1", Cluster = "batch" });
        await clients.Ecs.StopTaskAsync(new StopTaskRequest { Task = "t", Cluster = "batch" });

        var requests = _server.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        var tokens = requests[..2].Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("clientToken").GetString()).ToList();
        Assert.Equal(tokens[0], tokens[1]);
    }

    [Fact]
    public async Task CreateStateMachine_is_not_retried_after_a_server_error()
    {
        _server.EnqueueJson(500, """{"__type":"InternalFailure","message":"boom"}""");
        var clients = new TestClients(_server.Endpoint);

        await Assert.ThrowsAsync<AmazonStepFunctionsException>(() => clients.StepFunctions.CreateStateMachineAsync(
            new CreateStateMachineRequest { Name = "sm", Definition = "{}", RoleArn = "arn:aws:iam::1:role/r" }));

        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Error_variants_become_the_models_typed_exceptions()
    {
        var clients = new TestClients(_server.Endpoint);
        _server.EnqueueJson(400, """{"__type":"com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn'"}""");
        _server.EnqueueJson(400, """{"__type":"ExecutionNotRedrivable","message":"Execution is SUCCEEDED"}""");
        _server.EnqueueJson(400, """{"__type":"ValidationException","message":"1 validation error detected","reason":"API_DOES_NOT_SUPPORT_LABELED_ARNS"}""");
        _server.EnqueueJson(400, """{"__type":"ClientException","message":"Tasks provided in the request were not found."}""");
        _server.EnqueueJson(404, """{"Message":"Schedule nightly does not exist."}""", errorType: "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/");
        _server.EnqueueJson(409, """{"Message":"Schedule nightly already exists."}""", errorType: "ConflictException");

        var e1 = await Assert.ThrowsAsync<ExecutionDoesNotExistException>(() => clients.StepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = "arn" }));
        var e2 = await Assert.ThrowsAsync<ExecutionNotRedrivableException>(() => clients.StepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = "arn" }));
        var e3 = await Assert.ThrowsAsync<BatchOps.Aws.StepFunctions.ValidationException>(() => clients.StepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = "arn" }));
        var e4 = await Assert.ThrowsAsync<ClientException>(() => clients.Ecs.DescribeTasksAsync(new DescribeTasksRequest { Tasks = ["x"] }));
        var e5 = await Assert.ThrowsAsync<BatchOps.Aws.Scheduler.ResourceNotFoundException>(() => clients.Scheduler.GetScheduleAsync(new GetScheduleRequest { Name = "nightly" }));
        var e6 = await Assert.ThrowsAsync<BatchOps.Aws.Scheduler.ConflictException>(() => clients.Scheduler.CreateScheduleAsync(new CreateScheduleRequest
        {
            Name = "nightly",
            ScheduleExpression = "rate(1 hour)",
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowMode.OFF },
            Target = new Target { Arn = "arn", RoleArn = "role" },
        }));

        Assert.Equal(("ExecutionDoesNotExist", "Execution Does Not Exist: 'arn'", HttpStatusCode.BadRequest, "req-400"), (e1.ErrorCode, e1.ErrorMessage, e1.StatusCode, e1.RequestId));
        Assert.Equal("ExecutionNotRedrivable", e2.ErrorCode);
        Assert.Equal("API_DOES_NOT_SUPPORT_LABELED_ARNS", e3.Details.Member("reason"));
        Assert.Equal("Tasks provided in the request were not found.", e4.ErrorMessage);
        Assert.Equal(("ResourceNotFoundException", "Schedule nightly does not exist.", HttpStatusCode.NotFound), (e5.ErrorCode, e5.ErrorMessage, e5.StatusCode));
        Assert.Equal(HttpStatusCode.Conflict, e6.StatusCode);
        Assert.Contains("ExecutionDoesNotExist", e1.Message);
    }

    [Fact]
    public async Task An_unknown_error_code_becomes_the_services_base_exception()
    {
        _server.EnqueueJson(403, """{"__type":"AccessDeniedException","Message":"not authorized to perform: states:StartExecution"}""");
        var clients = new TestClients(_server.Endpoint);

        var error = await Assert.ThrowsAsync<AmazonStepFunctionsException>(() => clients.StepFunctions.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = "sm" }));

        Assert.Equal("AccessDeniedException", error.ErrorCode);
        Assert.Equal("not authorized to perform: states:StartExecution", error.ErrorMessage);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_retried_for_reads_then_reported_as_a_transport_error()
    {
        var endpoint = _server.Endpoint;
        await _server.DisposeAsync();
        _server = await LoopbackAwsServer.StartAsync(); // a different port; the old one is closed
        var clients = new TestClients(endpoint, o => o.MaxAttempts = 2);

        var error = await Assert.ThrowsAsync<AwsTransportException>(() => clients.StepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = ExecutionArn }));

        Assert.Equal("DescribeExecution", error.Operation);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }
}
