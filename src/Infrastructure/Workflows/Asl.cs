using System.Text.Json.Nodes;

namespace BatchOps.Infrastructure.Workflows;

/// <summary>Small builders for the ASL pieces the workflows share. ${...} are CloudFormation definition substitutions.</summary>
public static class Asl
{
    /// <summary>RunTask parameters for the worker task definition on the worker cluster.</summary>
    public static JsonObject RunWorker(JsonObject containerOverride) => new()
    {
        ["Cluster"] = "${ClusterArn}",
        ["TaskDefinition"] = "${TaskDefinitionArn}",
        ["LaunchType"] = "FARGATE",
        ["NetworkConfiguration"] = new JsonObject
        {
            ["AwsvpcConfiguration"] = new JsonObject { ["Subnets"] = new JsonArray("${Subnet1}", "${Subnet2}"), ["AssignPublicIp"] = "DISABLED" },
        },
        ["Overrides"] = new JsonObject { ["ContainerOverrides"] = new JsonArray(containerOverride) },
    };

    /// <summary>
    /// Runs batch-job as a child execution and waits for it (startExecution.sync:2). The child is named after the parent,
    /// the step and the parent's redrive count: a retry within one run asks for the same name (so it never starts twice),
    /// and a redrive of the parent starts a new child instead of colliding with the failed one.
    /// </summary>
    public static JsonObject RunBatchJob(string step, string commandsExpression, string? next) => WithNext(new JsonObject
    {
        ["Type"] = "Task",
        ["Resource"] = "arn:aws:states:::states:startExecution.sync:2",
        ["Parameters"] = new JsonObject
        {
            ["StateMachineArn"] = "${BatchJobArn}",
            ["Name.$"] = $"States.Format('{{}}-{step}-r{{}}', $$.Execution.Name, $$.Execution.RedriveCount)",
            ["Input"] = new JsonObject
            {
                ["commands.$"] = commandsExpression,
                ["environment.$"] = "$.environment",
                ["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$"] = "$$.Execution.Id",
            },
        },
        ["ResultPath"] = $"$.results.{step}",
    }, next);

    /// <summary>Routes to the state named by the input's optional `resumeFrom`, else to <paramref name="start"/>.</summary>
    public static JsonObject ResumeRouter(string start, params string[] steps) => new()
    {
        ["Type"] = "Choice",
        ["Choices"] = new JsonArray([.. steps.Select(step => (JsonNode)new JsonObject
        {
            ["And"] = new JsonArray(
                new JsonObject { ["Variable"] = "$.resumeFrom", ["IsPresent"] = true },
                new JsonObject { ["Variable"] = "$.resumeFrom", ["StringEquals"] = step }),
            ["Next"] = step,
        })]),
        ["Default"] = start,
    };

    /// <summary>Today's date (yyyy-mm-dd) from the execution's start time.</summary>
    public const string ExecutionDate = "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)";

    public static JsonObject WithNext(JsonObject state, string? next)
    {
        if (next is null)
        {
            state["End"] = true;
        }
        else
        {
            state["Next"] = next;
        }

        return state;
    }
}
