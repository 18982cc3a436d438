using System.Text.Json.Nodes;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>Workflows that run the real worker as ECS tasks in the sandbox, end to end over HTTP with src/Aws.</summary>
public sealed class EcsWorkflowTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::000000000000:role/sandbox";
    private SandboxServer _server = null!;
    private IAmazonStepFunctions _sfn = null!;
    private IAmazonECS _ecs = null!;

    public async Task InitializeAsync()
    {
        var options = new EcsSandboxOptions { DefaultStopTimeout = TimeSpan.FromSeconds(5) };
        options.Images["batchops-worker"] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", ecsOptions: options);
        var clients = new TestClients(_server.Endpoint);
        (_sfn, _ecs) = (clients.StepFunctions, clients.Ecs);
        await _ecs.RegisterTaskDefinitionAsync(new()
        {
            Family = "batch-job",
            Cpu = "256",
            Memory = "512",
            ContainerDefinitions = [new ContainerDefinition { Name = "worker", Image = "batchops-worker:latest", Essential = true, Command = ["echo"] }],
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(DescribeExecutionResponse Execution, List<HistoryEvent> Events)> RunAsync(string definition, string input)
    {
        var machine = await _sfn.CreateStateMachineAsync(new() { Name = "m-" + Guid.NewGuid().ToString("N")[..8], Definition = definition, RoleArn = Role });
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine.StateMachineArn, Input = input });
        await _server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var described = await _sfn.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn });
        var events = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events;
        return (described, events);
    }

    private const string BatchJob = """
        {"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::ecs:runTask.sync",
          "Parameters":{"Cluster":"default","TaskDefinition":"batch-job","LaunchType":"FARGATE",
            "Overrides":{"ContainerOverrides":[{"Name":"worker","Command.$":"$.commands","Environment.$":"$.environment"}]}},
          "End":true}}}
        """;

    [Fact]
    public async Task A_runTask_sync_workflow_runs_the_worker_with_the_command_override_and_succeeds()
    {
        var (execution, events) = await RunAsync(BatchJob, """{"commands":["report","--date","2026-11-21"],"environment":[{"Name":"LOG_LEVEL","Value":"debug"}]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        var task = JsonNode.Parse(execution.Output!)!;
        Assert.Equal("EssentialContainerExited", task["StopCode"]!.GetValue<string>());
        Assert.Equal(0, task["Containers"]![0]!["ExitCode"]!.GetValue<int>());
        Assert.Equal(["report", "--date", "2026-11-21"], task["Overrides"]!["ContainerOverrides"]![0]!["Command"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"], events.Select(e => e.Type));
        var logs = _server.Ecs.Logs(task["TaskArn"]!.GetValue<string>());
        Assert.Contains(logs, l => l.Contains("\"records\":1325", StringComparison.Ordinal) || l.Contains("1325 records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_exiting_2_fails_the_task_with_the_ecs_task_as_the_cause()
    {
        var (execution, events) = await RunAsync(BatchJob, """{"commands":["fail","2","upstream 503"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        var failed = events.Single(e => e.Type == "TaskFailed").TaskFailedEventDetails!;
        Assert.Equal("States.TaskFailed", failed.Error);
        var cause = JsonNode.Parse(failed.Cause!)!;
        Assert.Equal("EssentialContainerExited", cause["StopCode"]!.GetValue<string>());
        Assert.Equal("Essential container in task exited", cause["StoppedReason"]!.GetValue<string>());
        Assert.Equal(2, cause["Containers"]![0]!["ExitCode"]!.GetValue<int>());
        Assert.Equal("STOPPED", cause["LastStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wait_for_task_token_workflow_completes_through_the_workers_callback()
    {
        const string callback = """
            {"StartAt":"Callback","States":{"Callback":{"Type":"Task","Resource":"arn:aws:states:::ecs:runTask.waitForTaskToken",
              "Parameters":{"Cluster":"default","TaskDefinition":"batch-job",
                "Overrides":{"ContainerOverrides":[{"Name":"worker","Command.$":"$.commands",
                  "Environment":[{"Name":"TASK_TOKEN","Value.$":"$$.Task.Token"},{"Name":"HEARTBEAT_SECONDS","Value":"30"}]}]}},
              "HeartbeatSeconds":30,"TimeoutSeconds":120,"End":true}}}
            """;

        var (execution, _) = await RunAsync(callback, """{"commands":["report","--date","2026-11-21"]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        Assert.Equal(1325, JsonNode.Parse(execution.Output!)!["records"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_injected_CannotPullContainerError_stops_the_task_with_that_reason()
    {
        _server.Ecs.InjectFault("batch-job", EcsFault.CannotPullContainer);

        var (execution, events) = await RunAsync(BatchJob, """{"commands":["echo"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        var cause = JsonNode.Parse(events.Single(e => e.Type == "TaskFailed").TaskFailedEventDetails!.Cause!)!;
        Assert.Equal("TaskFailedToStart", cause["StopCode"]!.GetValue<string>());
        Assert.StartsWith("CannotPullContainerError:", cause["StoppedReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopTask_sends_SIGTERM_and_the_task_stops_user_initiated_with_exit_143()
    {
        var run = await _ecs.RunTaskAsync(new() { Cluster = "default", TaskDefinition = "batch-job", Overrides = new() { ContainerOverrides = [new() { Name = "worker", Command = ["sleep", "60"] }] } });
        var taskArn = run.Tasks![0].TaskArn!;
        await Eventually.PollAsync("the worker to log that it sleeps", () => _server.Ecs.Logs(taskArn), logs => logs.Any(l => l.Contains("Sleeping", StringComparison.Ordinal)), describe: logs => string.Join('\n', logs));

        await _ecs.StopTaskAsync(new() { Cluster = "default", Task = taskArn, Reason = "Stopped by the on-call operator" });
        var task = (await _ecs.DescribeTasksAsync(new() { Cluster = "default", Tasks = [taskArn] })).Tasks![0];

        Assert.Equal("STOPPED", task.LastStatus);
        Assert.Equal("UserInitiated", task.StopCode);
        Assert.Equal("Stopped by the on-call operator", task.StoppedReason);
        Assert.Equal(143, task.Containers![0].ExitCode);
        Assert.Empty((await _ecs.ListTasksAsync(new() { Cluster = "default" })).TaskArns!);
        Assert.Single((await _ecs.ListTasksAsync(new() { Cluster = "default", DesiredStatus = "STOPPED" })).TaskArns!);
    }
}
