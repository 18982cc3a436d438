using System.Globalization;
using System.Text.Json.Nodes;
using BatchOps.Contracts;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>
/// callback-job: the worker reports its own result with the task token (WAIT_FOR_TASK_TOKEN) and keeps the
/// state alive with heartbeats. The ECS environment override carries TASK_TOKEN and HEARTBEAT_SECONDS,
/// so the contract's environment travels as one JSON variable (BATCHOPS_ENVIRONMENT) the worker expands.
/// </summary>
public static class CallbackJobDefinition
{
    public static JsonObject Build(int heartbeatSeconds, int timeoutSeconds) => new()
    {
        ["Comment"] = "Runs the worker, which calls back with SendTaskSuccess/SendTaskFailure and sends heartbeats.",
        ["StartAt"] = "Prepare",
        ["States"] = new JsonObject
        {
            ["Prepare"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Parameters"] = new JsonObject { ["commands.$"] = "$.commands", ["environmentJson.$"] = "States.JsonToString($.environment)" },
                ["Next"] = "Run worker",
            },
            ["Run worker"] = new JsonObject
            {
                ["Type"] = "Task",
                ["Resource"] = "arn:aws:states:::ecs:runTask.waitForTaskToken",
                ["Parameters"] = Asl.RunWorker(new JsonObject
                {
                    ["Name"] = "worker",
                    ["Command.$"] = "$.commands",
                    ["Environment.$"] = "States.StringToJson(States.Format('[\\{\"Name\":\"" + WorkerEnvironment.TaskToken + "\",\"Value\":\"{}\"\\},\\{\"Name\":\"" + WorkerEnvironment.HeartbeatSeconds + "\",\"Value\":\""
                        + heartbeatSeconds.ToString(CultureInfo.InvariantCulture)
                        + "\"\\},\\{\"Name\":\"" + WorkerEnvironment.ContractEnvironment + "\",\"Value\":{}\\}]', $$.Task.Token, States.JsonToString($.environmentJson)))",
                }),
                ["HeartbeatSeconds"] = heartbeatSeconds,
                ["TimeoutSeconds"] = timeoutSeconds,
                ["Retry"] = new JsonArray(new JsonObject
                {
                    ["ErrorEquals"] = StopReasonChoices.RetryableErrors(),
                    ["IntervalSeconds"] = 10,
                    ["MaxAttempts"] = 2,
                    ["BackoffRate"] = 2,
                }),
                ["End"] = true,
            },
        },
    };
}
