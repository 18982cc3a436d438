using System.Text.Json.Nodes;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>
/// The batch-job state machine in Amazon States Language. Written as ASL (not CDK's task constructs) because
/// the workflow contract passes `environment` straight through as the ECS override, which the constructs
/// cannot express. ${...} are CloudFormation definition substitutions.
/// </summary>
public static class BatchJobDefinition
{
    public static JsonObject Build(int maxAttempts) => new()
    {
        ["Comment"] = "Runs the worker as an ECS task with the workflow contract's commands and environment; retries transient failures with backoff.",
        ["StartAt"] = "Prepare",
        ["States"] = new JsonObject
        {
            // Defaults for optional contract fields, and the attempt counter the retry loop needs.
            ["Prepare"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Parameters"] = new JsonObject
                {
                    ["commands.$"] = "$.commands",
                    ["environment.$"] = "$.environment",
                    ["attempt"] = 1,
                },
                ["Next"] = "Run worker",
            },
            ["Run worker"] = new JsonObject
            {
                ["Type"] = "Task",
                ["Resource"] = "arn:aws:states:::ecs:runTask.sync",
                ["Parameters"] = Asl.RunWorker(new JsonObject
                {
                    ["Name"] = "worker",
                    ["Command.$"] = "$.commands",
                    ["Environment.$"] = "$.environment",
                }),
                ["ResultPath"] = "$.task",
                // ECS API throttling is retried by Step Functions itself.
                ["Retry"] = new JsonArray(new JsonObject
                {
                    ["ErrorEquals"] = new JsonArray("ECS.AmazonECSException", "ECS.ThrottlingException"),
                    ["IntervalSeconds"] = 2,
                    ["MaxAttempts"] = 5,
                    ["BackoffRate"] = 2,
                    ["JitterStrategy"] = "FULL",
                }),
                ["Catch"] = new JsonArray(new JsonObject { ["ErrorEquals"] = new JsonArray("States.ALL"), ["ResultPath"] = "$.error", ["Next"] = "Read stopped task" }),
                ["Next"] = "Notify success",
            },
            // The cause of a failed runTask.sync is the stopped task as JSON: parse it to classify the failure.
            ["Read stopped task"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Parameters"] = new JsonObject
                {
                    ["commands.$"] = "$.commands",
                    ["environment.$"] = "$.environment",
                    ["attempt.$"] = "$.attempt",
                    ["error.$"] = "$.error",
                    ["stopped.$"] = "States.StringToJson($.error.Cause)",
                },
                ["Next"] = "Retryable?",
            },
            ["Retryable?"] = new JsonObject
            {
                ["Type"] = "Choice",
                ["Choices"] = new JsonArray(
                    new JsonObject
                    {
                        ["And"] = new JsonArray(
                            new JsonObject { ["Variable"] = "$.attempt", ["NumericLessThan"] = maxAttempts },
                            new JsonObject
                            {
                                ["Or"] = new JsonArray(
                                    new JsonObject { ["Variable"] = "$.stopped.StoppedReason", ["StringMatches"] = "CannotPullContainerError*" },
                                    new JsonObject { ["Variable"] = "$.stopped.StoppedReason", ["StringMatches"] = "ResourceInitializationError*" },
                                    new JsonObject { ["Variable"] = "$.stopped.StoppedReason", ["StringMatches"] = "*Capacity is unavailable*" },
                                    new JsonObject { ["Variable"] = "$.stopped.StopCode", ["StringEquals"] = "SpotInterruption" },
                                    new JsonObject { ["Variable"] = "$.stopped.Containers[0].ExitCode", ["NumericEquals"] = 2 },
                                    new JsonObject { ["Variable"] = "$.stopped.Containers[0].ExitCode", ["NumericEquals"] = 143 }),
                            }),
                        ["Next"] = "Back off",
                    }),
                ["Default"] = "Notify failure",
            },
            // Exponential backoff: 10, 20, 40, 80... seconds, chosen by attempt number.
            ["Back off"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Parameters"] = new JsonObject
                {
                    ["commands.$"] = "$.commands",
                    ["environment.$"] = "$.environment",
                    ["attempt.$"] = "States.MathAdd($.attempt, 1)",
                    ["delaySeconds.$"] = "States.ArrayGetItem(States.Array(10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120), States.MathAdd($.attempt, -1))",
                },
                ["Next"] = "Wait before retry",
            },
            ["Wait before retry"] = new JsonObject { ["Type"] = "Wait", ["SecondsPath"] = "$.delaySeconds", ["Next"] = "Run worker" },
            ["Notify success"] = new JsonObject
            {
                ["Type"] = "Task",
                ["Resource"] = "arn:aws:states:::sns:publish",
                ["Parameters"] = new JsonObject { ["TopicArn"] = "${TopicArn}", ["Subject"] = "batch-job succeeded", ["Message.$"] = "States.Format('batch-job {} succeeded after {} attempt(s)', $$.Execution.Name, $.attempt)" },
                ["ResultPath"] = JsonValue.Create((string?)null),
                ["End"] = true,
            },
            ["Notify failure"] = new JsonObject
            {
                ["Type"] = "Task",
                ["Resource"] = "arn:aws:states:::sns:publish",
                ["Parameters"] = new JsonObject { ["TopicArn"] = "${TopicArn}", ["Subject"] = "batch-job failed", ["Message.$"] = "States.Format('batch-job {} failed: {}', $$.Execution.Name, $.error.Error)" },
                ["ResultPath"] = JsonValue.Create((string?)null),
                ["Next"] = "Failed",
            },
            ["Failed"] = new JsonObject { ["Type"] = "Fail", ["ErrorPath"] = "$.error.Error", ["CausePath"] = "$.error.Cause" },
        },
    };
}
