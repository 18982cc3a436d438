using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Ecs;
using static BatchOps.Sandbox.Hosting.JsonNames;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Integrations;

/// <summary>
/// ecs:runTask, ecs:runTask.sync and ecs:runTask.waitForTaskToken against the sandbox's ECS. Like Step
/// Functions, parameters and results use the SDK's PascalCase member names, and a .sync task whose
/// essential container did not exit 0 fails with States.TaskFailed and the task as the cause.
/// </summary>
public sealed class EcsIntegration(EcsSandbox ecs) : ITaskIntegration
{
    public bool Handles(string resourceType, string action) => resourceType == "ecs" && action == "runTask";

    public Task<JsonNode?> StartAsync(TaskCall call, CancellationToken cancellationToken)
    {
        RunTaskRequest request;
        try
        {
            request = Camel(call.Parameters).Deserialize<RunTaskRequest>(AwsJson.Options) ?? throw new JsonException("no parameters");
        }
        catch (JsonException e)
        {
            throw new StatesException("ECS.InvalidParameterException", $"The RunTask parameters are not valid: {e.Message}");
        }

        RunTaskResponse response;
        try
        {
            response = ecs.RunTask(request with { StartedBy = request.StartedBy ?? "AWS Step Functions" });
        }
        catch (SandboxErrorException e)
        {
            throw new StatesException("ECS." + e.Code, e.Message);
        }

        var output = Pascal(JsonSerializer.SerializeToNode(response, AwsJson.Options));
        if (call.Pattern == "sync" && response.Tasks is not { Count: > 0 })
        {
            throw new StatesException(AslErrors.TaskFailed, output!.ToJsonString());
        }

        return Task.FromResult(output);
    }

    public async Task<JsonNode?> WaitAsync(TaskCall call, JsonNode? started, CancellationToken cancellationToken)
    {
        var taskArn = started!["Tasks"]![0]!["TaskArn"]!.GetValue<string>();
        var task = await ecs.WaitStoppedAsync(taskArn, cancellationToken).ConfigureAwait(false);
        var result = Pascal(JsonSerializer.SerializeToNode(task, AwsJson.Options));
        var succeeded = task.StopCode == "EssentialContainerExited" && task.Containers!.All(c => c.ExitCode == 0);
        return succeeded ? result : throw new StatesException(AslErrors.TaskFailed, result!.ToJsonString());
    }

    public async Task CancelAsync(TaskCall call, JsonNode? started)
    {
        if (started?["Tasks"] is JsonArray { Count: > 0 } tasks)
        {
            foreach (var task in tasks)
            {
                await ecs.StopAsync(task!["TaskArn"]!.GetValue<string>(), "Task stopped by AWS Step Functions").ConfigureAwait(false);
            }
        }
    }
}
