using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.StepFunctions;
using BatchOps.Infrastructure.Workflows;
using Constructs;

namespace BatchOps.Infrastructure;

/// <summary>Settings read from CDK context (cdk.json, or -c key=value).</summary>
public sealed record BatchOpsSettings(string WorkerImageTag, int WorkerCpu, int WorkerMemoryMiB, int MaxRetryAttempts)
{
    public static BatchOpsSettings From(Construct scope)
    {
        string Text(string key, string fallback) => scope.Node.TryGetContext(key)?.ToString() ?? fallback;
        int Number(string key, int fallback) => int.TryParse(Text(key, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var v) ? v : throw new ArgumentException($"Context '{key}' must be a whole number.");
        return new BatchOpsSettings(Text("workerImageTag", "latest"), Number("workerCpu", 256), Number("workerMemoryMiB", 512), Number("maxRetryAttempts", 3));
    }
}

/// <summary>The worker's cluster and task definition, and the workflows that run it.</summary>
public sealed class BatchOpsStack : Stack
{
    public const string Id = "BatchOps";

    /// <summary>The stack as the app deploys it (the tests synthesize the same thing).</summary>
    public static BatchOpsStack Create(App app) => new(app, Id, BatchOpsSettings.From(app), new StackProps
    {
        Description = "BatchOps: batch workflows on ECS Fargate orchestrated by Step Functions",
    });

    public BatchOpsStack(Construct scope, string id, BatchOpsSettings settings, IStackProps? props = null)
        : base(scope, id, props)
    {
        var vpc = new Vpc(this, "Network", new VpcProps { MaxAzs = 2, NatGateways = 1 });
        var cluster = new Cluster(this, "WorkerCluster", new ClusterProps { Vpc = vpc, ContainerInsights = true });
        var repository = new Repository(this, "WorkerRepository", new RepositoryProps { RepositoryName = "batchops-worker", ImageScanOnPush = true });
        var logs = new LogGroup(this, "WorkerLogs", new LogGroupProps { Retention = RetentionDays.ONE_MONTH });

        var task = new FargateTaskDefinition(this, "WorkerTask", new FargateTaskDefinitionProps
        {
            Family = "batchops-worker",
            Cpu = settings.WorkerCpu,
            MemoryLimitMiB = settings.WorkerMemoryMiB,
        });
        task.AddContainer("worker", new ContainerDefinitionOptions
        {
            ContainerName = "worker",
            Image = ContainerImage.FromEcrRepository(repository, settings.WorkerImageTag),
            Essential = true,
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = logs, StreamPrefix = "worker" }),
            StopTimeout = Duration.Seconds(30),
        });

        var alerts = new Topic(this, "Alerts", new TopicProps { DisplayName = "BatchOps workflow alerts" });
        var subnets = vpc.PrivateSubnets;
        var batchJob = new StateMachine(this, "BatchJob", new StateMachineProps
        {
            StateMachineName = "batch-job",
            DefinitionBody = DefinitionBody.FromString(BatchJobDefinition.Build(settings.MaxRetryAttempts).ToJsonString()),
            DefinitionSubstitutions = new Dictionary<string, string>
            {
                ["ClusterArn"] = cluster.ClusterArn,
                ["TaskDefinitionArn"] = task.TaskDefinitionArn,
                ["Subnet1"] = subnets[0].SubnetId,
                ["Subnet2"] = subnets[1].SubnetId,
                ["TopicArn"] = alerts.TopicArn,
            },
            TracingEnabled = true,
        });

        // Least privilege: run exactly this task definition on this cluster, pass exactly its two roles,
        // and receive ECS's completion events (the .sync pattern's managed rule).
        batchJob.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ecs:RunTask"],
            Resources = [task.TaskDefinitionArn],
            Conditions = new Dictionary<string, object> { ["ArnEquals"] = new Dictionary<string, object> { ["ecs:cluster"] = cluster.ClusterArn } },
        }));
        batchJob.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ecs:StopTask", "ecs:DescribeTasks"],
            Resources = [$"arn:{Aws.PARTITION}:ecs:{Aws.REGION}:{Aws.ACCOUNT_ID}:task/{cluster.ClusterName}/*"],
        }));
        batchJob.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["iam:PassRole"],
            Resources = [task.TaskRole.RoleArn, task.ExecutionRole!.RoleArn],
            Conditions = new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "ecs-tasks.amazonaws.com" } },
        }));
        batchJob.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resources = [$"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/StepFunctionsGetEventsForECSTaskRule"],
        }));
        alerts.GrantPublish(batchJob);

        _ = new CfnOutput(this, "BatchJobArn", new CfnOutputProps { Value = batchJob.StateMachineArn });
        _ = new CfnOutput(this, "WorkerRepositoryUri", new CfnOutputProps { Value = repository.RepositoryUri });
    }
}
