using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Integrations;

/// <summary>
/// states:startExecution, .sync (output as a JSON string) and .sync:2 (output as JSON): child workflows,
/// as the nightly batch and the orchestrator use them. A child that fails fails the parent's task with
/// States.TaskFailed and the child's description as the cause.
/// </summary>
public sealed class StepFunctionsIntegration(Func<StepFunctionsSandbox> stepFunctions) : ITaskIntegration
{
    public bool Handles(string resourceType, string action) => resourceType == "states" && action == "startExecution";

    public Task<JsonNode?> StartAsync(TaskCall call, CancellationToken cancellationToken)
    {
        var parameters = call.Parameters as JsonObject ?? throw new StatesException(AslErrors.Runtime, "startExecution needs Parameters with a StateMachineArn.");
        var input = parameters["Input"] switch
        {
            null => "{}",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var node => node.ToJsonString(),
        };
        try
        {
            var started = stepFunctions().StartExecution(new StartExecutionRequest
            {
                StateMachineArn = parameters["StateMachineArn"]?.GetValue<string>() ?? throw new StatesException(AslErrors.Runtime, "startExecution needs a StateMachineArn."),
                Name = parameters["Name"]?.GetValue<string>(),
                Input = input,
            });
            return Task.FromResult<JsonNode?>(new JsonObject { ["ExecutionArn"] = started.ExecutionArn, ["StartDate"] = started.StartDate.ToUnixTimeMilliseconds() });
        }
        catch (SandboxErrorException e)
        {
            throw new StatesException("StepFunctions." + e.Code + "Exception", e.Message);
        }
    }

    public async Task<JsonNode?> WaitAsync(TaskCall call, JsonNode? started, CancellationToken cancellationToken)
    {
        var arn = started!["ExecutionArn"]!.GetValue<string>();
        var sandbox = stepFunctions();
        await sandbox.WhenFinishedAsync(arn, cancellationToken).ConfigureAwait(false);
        var child = sandbox.DescribeExecution(new DescribeExecutionRequest { ExecutionArn = arn });
        var output = new JsonObject
        {
            ["ExecutionArn"] = child.ExecutionArn,
            ["StateMachineArn"] = child.StateMachineArn,
            ["Name"] = child.Name,
            ["Status"] = child.Status,
            ["StartDate"] = child.StartDate.ToUnixTimeMilliseconds(),
            ["StopDate"] = child.StopDate?.ToUnixTimeMilliseconds(),
            ["Input"] = call.Pattern == "sync:2" ? JsonNode.Parse(child.Input ?? "{}") : child.Input,
            ["InputDetails"] = new JsonObject { ["Included"] = true },
        };
        if (child.Status == ExecutionStatus.SUCCEEDED)
        {
            output["Output"] = call.Pattern == "sync:2" ? JsonNode.Parse(child.Output ?? "null") : child.Output;
            output["OutputDetails"] = new JsonObject { ["Included"] = true };
            return output;
        }

        output["Error"] = child.Error;
        output["Cause"] = child.Cause;
        throw new StatesException(AslErrors.TaskFailed, output.ToJsonString());
    }

    public async Task CancelAsync(TaskCall call, JsonNode? started)
    {
        if (started?["ExecutionArn"]?.GetValue<string>() is { } arn)
        {
            await stepFunctions().StopExecutionAsync(new StopExecutionRequest { ExecutionArn = arn, Error = AslErrors.Aborted, Cause = "The parent execution stopped." }).ConfigureAwait(false);
        }
    }
}
