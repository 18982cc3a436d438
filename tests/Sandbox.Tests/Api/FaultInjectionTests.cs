using System.Net.Http.Json;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>Faults injected through the sandbox's admin endpoint, seen through our real clients.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime, IDisposable
{
    private SandboxServer _server = null!;
    private TestClients _clients = null!;
    private readonly HttpClient _admin = new();

    public async Task InitializeAsync()
    {
        var options = new EcsSandboxOptions();
        options.Images["batchops-worker"] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", ecsOptions: options);
        _clients = new TestClients(_server.Endpoint);
        await _clients.Ecs.RegisterTaskDefinitionAsync(new() { Family = "batch-job", ContainerDefinitions = [new() { Name = "worker", Image = "batchops-worker", Command = ["sleep", "30"] }] });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _admin.Dispose();

    private async Task AdminAsync(string path, object body)
    {
        using var response = await _admin.PostAsJsonAsync(new Uri(_server.Endpoint, path), body);
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Throttled_calls_are_retried_by_the_client_until_they_succeed()
    {
        var machine = await _clients.StepFunctions.CreateStateMachineAsync(new() { Name = "m", RoleArn = "arn:aws:iam::000000000000:role/r", Definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""" });
        await AdminAsync("/_sandbox/faults", new { Operation = "StartExecution", Kind = "Throttle", Count = 2 });

        var started = await _clients.StepFunctions.StartExecutionAsync(new() { StateMachineArn = machine.StateMachineArn, Name = "named-run" });

        Assert.EndsWith(":named-run", started.ExecutionArn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_on_an_unsafe_write_surfaces_as_a_typed_error_without_a_retry()
    {
        var machine = await _clients.StepFunctions.CreateStateMachineAsync(new() { Name = "m2", RoleArn = "arn:aws:iam::000000000000:role/r", Definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""" });
        await AdminAsync("/_sandbox/faults", new { Operation = "StartExecution", Kind = "ServerError", Count = 1 });

        // Without a name a retried StartExecution could start a second execution, so the client does not retry it.
        var error = await Assert.ThrowsAsync<AmazonStepFunctionsException>(() => _clients.StepFunctions.StartExecutionAsync(new() { StateMachineArn = machine.StateMachineArn }));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Empty((await _clients.StepFunctions.ListExecutionsAsync(new() { StateMachineArn = machine.StateMachineArn })).Executions);
    }

    [Fact]
    public async Task A_RunTask_retried_after_a_server_error_starts_one_task_thanks_to_its_client_token()
    {
        await AdminAsync("/_sandbox/faults", new { Operation = "RunTask", Kind = "ServerError", Count = 1 });

        var run = await _clients.Ecs.RunTaskAsync(new() { TaskDefinition = "batch-job" });

        Assert.Single(run.Tasks!);
        Assert.Single((await _clients.Ecs.ListTasksAsync(new())).TaskArns!);
        await _clients.Ecs.StopTaskAsync(new() { Task = run.Tasks![0].TaskArn! });
    }

    [Fact]
    public async Task An_out_of_memory_fault_stops_the_task_with_exit_137_and_the_ecs_reason()
    {
        await AdminAsync("/_sandbox/ecs-faults", new { Family = "batch-job", Fault = "OutOfMemory" });

        var run = await _clients.Ecs.RunTaskAsync(new() { TaskDefinition = "batch-job" });
        var task = await _server.Ecs.WaitStoppedAsync(run.Tasks![0].TaskArn!, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("EssentialContainerExited", task.StopCode);
        Assert.Equal(137, task.Containers![0].ExitCode);
        Assert.Equal("OutOfMemoryError: Container killed due to memory usage", task.Containers[0].Reason);
    }

    [Fact]
    public async Task A_capacity_fault_is_a_RunTask_failure()
    {
        await AdminAsync("/_sandbox/ecs-faults", new { Family = "batch-job", Fault = "Capacity" });

        var run = await _clients.Ecs.RunTaskAsync(new() { TaskDefinition = "batch-job" });

        Assert.Empty(run.Tasks!);
        Assert.StartsWith("Capacity is unavailable", Assert.Single(run.Failures!).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_fault_requests_are_rejected()
    {
        using var response = await _admin.PostAsJsonAsync(new Uri(_server.Endpoint, "/_sandbox/faults"), new { Kind = "Throttle" });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}

/// <summary>What keeps the sandbox, which runs tasks as processes on this machine, from being a way in.</summary>
public sealed class SandboxSafetyTests : IAsyncLifetime, IDisposable
{
    private SandboxServer _server = null!;
    private TestClients _clients = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        var options = new EcsSandboxOptions();
        options.Images["batchops-worker"] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", ecsOptions: options);
        _clients = new TestClients(_server.Endpoint);
        await _clients.Ecs.RegisterTaskDefinitionAsync(new() { Family = "safe", ContainerDefinitions = [new() { Name = "worker", Image = "batchops-worker", Command = ["echo", "hi"] }] });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("LD_PRELOAD")]
    [InlineData("DOTNET_STARTUP_HOOKS")]
    [InlineData("CORECLR_PROFILER_PATH")]
    [InlineData("dyld_insert_libraries")]
    public async Task A_task_asking_for_a_variable_that_loads_code_is_refused_and_nothing_runs(string name)
    {
        var error = await Assert.ThrowsAsync<Aws.Ecs.InvalidParameterException>(() => _clients.Ecs.RunTaskAsync(new()
        {
            TaskDefinition = "safe",
            Overrides = new() { ContainerOverrides = [new() { Name = "worker", Environment = [new() { Name = name, Value = "/tmp/evil.so" }] }] },
        }));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Empty((await _clients.Ecs.ListTasksAsync(new())).TaskArns ?? []);
        Assert.Empty((await _clients.Ecs.ListTasksAsync(new() { DesiredStatus = "STOPPED" })).TaskArns ?? []);
    }

    [Fact]
    public async Task Fault_counts_are_capped_and_an_oversize_one_queues_nothing()
    {
        using var tooMany = await _http.PostAsJsonAsync(new Uri(_server.Endpoint, "/_sandbox/ecs-faults"), new { Family = "safe", Fault = "OutOfMemory", Count = EcsSandbox.MaxFaults + 1 });
        using var apiTooMany = await _http.PostAsJsonAsync(new Uri(_server.Endpoint, "/_sandbox/faults"), new { Operation = "StartExecution", Kind = "Throttle", Count = 10_000_000 });

        Assert.Equal((System.Net.HttpStatusCode.BadRequest, System.Net.HttpStatusCode.BadRequest), (tooMany.StatusCode, apiTooMany.StatusCode));
        Assert.Contains($"Count from 1 to {EcsSandbox.MaxFaults}", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var task = Assert.Single((await _clients.Ecs.RunTaskAsync(new() { TaskDefinition = "safe" })).Tasks!);
        Assert.Equal("STOPPED", (await _server.Ecs.WaitStoppedAsync(task.TaskArn!, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))).LastStatus);
        Assert.Equal(0, (await _server.Ecs.WaitStoppedAsync(task.TaskArn!, CancellationToken.None)).Containers![0].ExitCode);
    }

    [Fact]
    public async Task A_request_for_another_host_name_is_refused()
    {
        // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) sends its own name as Host.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Endpoint, "/_sandbox/health")) { Headers = { Host = "attacker.example" } };
        using var refused = await _http.SendAsync(request);
        using var allowed = await _http.GetAsync(new Uri(_server.Endpoint, "/_sandbox/health"));

        Assert.Equal((System.Net.HttpStatusCode.BadRequest, System.Net.HttpStatusCode.OK), (refused.StatusCode, allowed.StatusCode));
    }
}
