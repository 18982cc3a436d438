using System.Text.Json.Nodes;
using BatchOps.Contracts;

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
            // Attempts before the last: a failure is caught, classified and retried or given up.
            ["Run worker"] = RunWorker(caught: true),
            // The last attempt is not caught: out of retries, the execution fails at the task itself, so a redrive
            // (which runs the failed state again) runs the worker again. A Fail state would only fail again.
            [Worker + WorkflowStates.LastAttemptSuffix] = RunWorker(caught: false),
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
            // Generated from the contract's stop-reason table (first match wins), so the dashboard's "retryable" is this.
            ["Retryable?"] = new JsonObject
            {
                ["Type"] = "Choice",
                ["Choices"] = StopReasonChoices.Build(maxAttempts, retry: "Back off", giveUp: "Notify failure"),
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
                ["Next"] = "Last attempt?",
            },
            ["Last attempt?"] = new JsonObject
            {
                ["Type"] = "Choice",
                ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.attempt", ["NumericGreaterThanEquals"] = maxAttempts, ["Next"] = "Wait before last attempt" }),
                ["Default"] = "Wait before retry",
            },
            ["Wait before retry"] = new JsonObject { ["Type"] = "Wait", ["SecondsPath"] = "$.delaySeconds", ["Next"] = Worker },
            ["Wait before last attempt"] = new JsonObject { ["Type"] = "Wait", ["SecondsPath"] = "$.delaySeconds", ["Next"] = Worker + WorkflowStates.LastAttemptSuffix },
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
            // A failure the table calls final (not worth retrying): fixing it takes a change, so a re-run with
            // overrides is the way on, and the dashboard says so rather than offer a redrive that would end here again.
            ["Failed"] = new JsonObject { ["Type"] = "Fail", ["ErrorPath"] = "$.error.Error", ["CausePath"] = "$.error.Cause" },
        },
    };

    private const string Worker = "Run worker";

    private static JsonObject RunWorker(bool caught)
    {
        var state = new JsonObject
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
        };
        if (caught)
        {
            state["Catch"] = new JsonArray(new JsonObject { ["ErrorEquals"] = new JsonArray("States.ALL"), ["ResultPath"] = "$.error", ["Next"] = "Read stopped task" });
        }

        state["Next"] = "Notify success";
        return state;
    }
}
