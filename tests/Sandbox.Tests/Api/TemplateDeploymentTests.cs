using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>A CloudFormation template shaped like the CDK app's output, deployed into the sandbox and run.</summary>
public sealed class TemplateDeploymentTests : IAsyncLifetime
{
    // The intrinsics CDK emits: Ref, Fn::GetAtt, Fn::Join around the definition, Fn::Sub, pseudo parameters.
    private const string Template = """
        {
          "Resources": {
            "WorkerCluster": { "Type": "AWS::ECS::Cluster", "Properties": { "ClusterSettings": [{ "Name": "containerInsights", "Value": "enabled" }] } },
            "TaskRole": { "Type": "AWS::IAM::Role", "Properties": { "AssumeRolePolicyDocument": {} } },
            "WorkerTask": { "Type": "AWS::ECS::TaskDefinition", "Properties": {
              "Family": "batch-job-worker", "Cpu": "256", "Memory": "512", "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc",
              "TaskRoleArn": { "Fn::GetAtt": ["TaskRole", "Arn"] },
              "ContainerDefinitions": [{ "Name": "worker", "Image": { "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/batchops-worker:latest" }, "Essential": true,
                "Environment": [{ "Name": "LOG_LEVEL", "Value": "information" }] }] } },
            "Alerts": { "Type": "AWS::SNS::Topic" },
            "BatchJob": { "Type": "AWS::StepFunctions::StateMachine", "Properties": {
              "StateMachineName": "batch-job",
              "RoleArn": { "Fn::GetAtt": ["TaskRole", "Arn"] },
              "DefinitionString": { "Fn::Join": ["", [
                "{\"StartAt\":\"Run\",\"States\":{\"Run\":{\"Type\":\"Task\",\"Resource\":\"arn:", { "Ref": "AWS::Partition" }, ":states:::ecs:runTask.sync\",\"Parameters\":{\"Cluster\":\"",
                { "Fn::GetAtt": ["WorkerCluster", "Arn"] }, "\",\"TaskDefinition\":\"", { "Ref": "WorkerTask" },
                "\",\"Overrides\":{\"ContainerOverrides\":[{\"Name\":\"worker\",\"Command.$\":\"$.commands\"}]}},\"End\":true}}}"
              ]] } } },
            "Nightly": { "Type": "AWS::Scheduler::ScheduleGroup", "Properties": { "Name": "batchops-nightly" } },
            "NightlySchedule": { "Type": "AWS::Scheduler::Schedule", "Properties": {
              "GroupName": { "Ref": "Nightly" }, "ScheduleExpression": "cron(0 5 * * ? *)", "ScheduleExpressionTimezone": "Asia/Tokyo",
              "FlexibleTimeWindow": { "Mode": "OFF" },
              "Target": { "Arn": { "Ref": "BatchJob" }, "RoleArn": { "Fn::GetAtt": ["TaskRole", "Arn"] }, "Input": "{\"commands\":[\"report\",\"--date\",\"2026-11-21\"]}",
                "RetryPolicy": { "MaximumRetryAttempts": 3 } } } }
          }
        }
        """;

    private SandboxServer _server = null!;

    public async Task InitializeAsync()
    {
        var options = new EcsSandboxOptions();
        options.Images["*batchops-worker"] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", ecsOptions: options);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_template_deploys_lists_what_is_not_emulated_and_its_workflow_runs_the_worker()
    {
        var result = _server.Deploy(Template);

        Assert.Equal(["Alerts"], result.NotEmulated.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("arn:aws:iam::000000000000:role/BatchOps-TaskRole", result.Created["TaskRole"]);
        Assert.Equal("arn:aws:states:us-east-1:000000000000:stateMachine:batch-job", result.Created["BatchJob"]);
        var clients = new TestClients(_server.Endpoint);
        var schedule = await clients.Scheduler.GetScheduleAsync(new() { Name = "BatchOps-NightlySchedule", GroupName = "batchops-nightly" });
        Assert.Equal(result.Created["BatchJob"], schedule.Target!.Arn);

        var started = await clients.StepFunctions.StartExecutionAsync(new() { StateMachineArn = result.Created["BatchJob"], Input = schedule.Target.Input });
        await _server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var execution = await clients.StepFunctions.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn });

        Assert.Equal(ExecutionStatus.SUCCEEDED, execution.Status);
        Assert.Equal(0, JsonNode.Parse(execution.Output!)!["Containers"]![0]!["ExitCode"]!.GetValue<int>());
    }

    [Fact]
    public void A_reference_to_a_missing_resource_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => _server.Deploy("""{"Resources":{"C":{"Type":"AWS::ECS::Cluster","Properties":{"ClusterName":{"Ref":"Nope"}}}}}"""));

        Assert.Contains("'Nope'", error.Message, StringComparison.Ordinal);
    }
}
