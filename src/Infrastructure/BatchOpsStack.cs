using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.Scheduler;
using Amazon.CDK.AWS.SQS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Infrastructure.Workflows;
using Constructs;

namespace BatchOps.Infrastructure;

/// <summary>Settings read from CDK context (cdk.json, or -c key=value).</summary>
public sealed record BatchOpsSettings(
    string WorkerImageTag,
    int WorkerCpu,
    int WorkerMemoryMiB,
    int MaxRetryAttempts,
    string OperatorScheduleGroup = "batchops-operator",
    string DashboardImageTag = "latest",
    string? CertificateArn = null,
    string? DomainName = null,
    string? OidcAuthority = null,
    string? OidcClientId = null,
    string? OidcClientSecretName = null,
    string? AlarmEmail = null,
    string? VpcId = null,
    bool WorkerImageFromAsset = false,
    string? AlarmTopicArn = null,
    string? EntraTenantId = null,
    string? EntraClientId = null,
    string? EntraClientSecretName = null,
    string EntraInstance = "https://login.microsoftonline.com/",
    bool PublicDashboard = false,
    string? WorkerSecrets = null)
{
    public static BatchOpsSettings From(Construct scope)
    {
        string Text(string key, string fallback) => scope.Node.TryGetContext(key)?.ToString() ?? fallback;
        int Number(string key, int fallback) => int.TryParse(Text(key, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var v) ? v : throw new ArgumentException($"Context '{key}' must be a whole number.");
        string? Optional(string key) => scope.Node.TryGetContext(key)?.ToString() is { Length: > 0 } v ? v : null;
        return new BatchOpsSettings(
            Text("workerImageTag", "latest"), Number("workerCpu", 256), Number("workerMemoryMiB", 512), Number("maxRetryAttempts", 3),
            Text("operatorScheduleGroup", "batchops-operator"), Text("dashboardImageTag", "latest"),
            Optional("certificateArn"), Optional("domainName"), Optional("oidcAuthority"), Optional("oidcClientId"), Optional("oidcClientSecretName"), Optional("alarmEmail"),
            Optional("vpcId"), Text("workerImageFromAsset", "false") == "true", Optional("alarmTopicArn"),
            Optional("entraTenantId"), Optional("entraClientId"), Optional("entraClientSecretName"), Text("entraInstance", "https://login.microsoftonline.com/"),
            Text("publicDashboard", "false") == "true",
            Optional("workerSecrets"));
    }
}

/// <summary>The worker's cluster and task definition, and the workflows that run it.</summary>
public sealed class BatchOpsStack : Stack
{
    public const string Id = "BatchOps";

    /// <summary>The stack as the app deploys it (the tests synthesize the same thing).</summary>
    public static BatchOpsStack Create(App app, Amazon.CDK.Environment? environment = null)
    {
        var settings = BatchOpsSettings.From(app);
        // Looking up an existing VPC needs a concrete account and region (the CDK CLI provides them).
        if (settings.VpcId is not null && environment is null)
        {
            var account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT");
            var region = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION");
            environment = account is null || region is null
                ? throw new InvalidOperationException("vpcId needs an account and region: deploy with the CDK CLI and AWS credentials, or set CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION.")
                : new Amazon.CDK.Environment { Account = account, Region = region };
        }

        return new(app, Id, settings, new StackProps
        {
            Description = "BatchOps: batch workflows on ECS Fargate orchestrated by Step Functions",
            Env = environment,
        });
    }

    public BatchOpsStack(Construct scope, string id, BatchOpsSettings settings, IStackProps? props = null)
        : base(scope, id, props)
    {
        // An existing VPC (looked up once with credentials, then cached in cdk.context.json) or a new one.
        IVpc vpc = settings.VpcId is { } vpcId
            ? Vpc.FromLookup(this, "Network", new VpcLookupOptions { VpcId = vpcId })
            : new Vpc(this, "Network", new VpcProps { MaxAzs = 2, NatGateways = 1 });
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
            // Real secrets reach the worker through ECS from Secrets Manager, never in an execution's input or history.
            Secrets = WorkerSecrets(settings.WorkerSecrets),
            // The ECR repository and tag CI pushes to, or an image built from src/Worker/Dockerfile at deploy time.
            Image = settings.WorkerImageFromAsset
                ? ContainerImage.FromAsset(RepositoryRoot(), new AssetImageProps { File = "src/Worker/Dockerfile", Exclude = ["**/bin", "**/obj", ".git", "cdk.out", "tests"] })
                : ContainerImage.FromEcrRepository(repository, settings.WorkerImageTag),
            Essential = true,
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = logs, StreamPrefix = "worker" }),
            StopTimeout = Duration.Seconds(30),
        });

        ITopic alerts = settings.AlarmTopicArn is { } topicArn
            ? Topic.FromTopicArn(this, "Alerts", topicArn)
            : new Topic(this, "Alerts", new TopicProps { DisplayName = "BatchOps workflow alerts" });
        var substitutions = new Dictionary<string, string>
        {
            ["ClusterArn"] = cluster.ClusterArn,
            ["TaskDefinitionArn"] = task.TaskDefinitionArn,
            ["Subnet1"] = vpc.PrivateSubnets[0].SubnetId,
            ["Subnet2"] = vpc.PrivateSubnets[1].SubnetId,
            ["TopicArn"] = alerts.TopicArn,
        };

        var batchJob = Workflow("BatchJob", "batch-job", BatchJobDefinition.Build(settings.MaxRetryAttempts), substitutions);
        AllowRunningWorker(batchJob, cluster, task, waitForCompletion: true);
        alerts.GrantPublish(batchJob);

        var callbackJob = Workflow("CallbackJob", "callback-job", CallbackJobDefinition.Build(heartbeatSeconds: 60, timeoutSeconds: 3600), substitutions);
        AllowRunningWorker(callbackJob, cluster, task, waitForCompletion: false);
        // The worker reports its own result: its task role may call back, and nothing else on Step Functions.
        task.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
            Resources = [callbackJob.StateMachineArn],
        }));

        var withChildren = new Dictionary<string, string>(substitutions) { ["BatchJobArn"] = batchJob.StateMachineArn };
        var nightly = Workflow("NightlyBatch", "nightly-batch", NightlyBatchDefinition.Build(), withChildren);
        AllowRunningWorker(nightly, cluster, task, waitForCompletion: true);
        AllowChildExecutions(nightly, batchJob);
        var orchestrator = Workflow("Orchestrator", "orchestrator", OrchestratorDefinition.Build(), withChildren);
        AllowChildExecutions(orchestrator, batchJob);

        // EventBridge Scheduler: the CDK-managed nightly schedule, and a role that may start only our workflows.
        // Operators' schedules live in a separate group the dashboard creates, which CloudFormation never touches.
        var schedulerRole = new Role(this, "SchedulerRole", new RoleProps { AssumedBy = new ServicePrincipal("scheduler.amazonaws.com") });
        foreach (var workflow in new[] { batchJob, callbackJob, nightly, orchestrator })
        {
            workflow.GrantStartExecution(schedulerRole);
        }

        var deadLetters = new Queue(this, "ScheduleDeadLetters", new QueueProps { RetentionPeriod = Duration.Days(14), EnforceSSL = true });
        // Scheduler only sends undeliverable invocations there (GrantSendMessages would add GetQueueAttributes and GetQueueUrl).
        schedulerRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps { Actions = ["sqs:SendMessage"], Resources = [deadLetters.QueueArn] }));
        var group = new CfnScheduleGroup(this, "ManagedSchedules", new CfnScheduleGroupProps { Name = "batchops-managed" });
        var nightlySchedule = new CfnSchedule(this, "NightlySchedule", new CfnScheduleProps
        {
            Name = "nightly-batch",
            GroupName = group.Name,
            Description = "Runs nightly-batch at 05:00 Tokyo time",
            ScheduleExpression = "cron(0 5 * * ? *)",
            ScheduleExpressionTimezone = "Asia/Tokyo",
            FlexibleTimeWindow = new CfnSchedule.FlexibleTimeWindowProperty { Mode = "OFF" },
            State = "ENABLED",
            Target = new CfnSchedule.TargetProperty
            {
                Arn = nightly.StateMachineArn,
                RoleArn = schedulerRole.RoleArn,
                Input = """{"commands":["echo","nightly final step"],"environment":[]}""",
                RetryPolicy = new CfnSchedule.RetryPolicyProperty { MaximumRetryAttempts = 3, MaximumEventAgeInSeconds = 3600 },
                DeadLetterConfig = new CfnSchedule.DeadLetterConfigProperty { Arn = deadLetters.QueueArn },
            },
        });
        nightlySchedule.AddDependency(group);

        Dashboard.Add(this, new DashboardResources(vpc, cluster, alerts, [batchJob, callbackJob, nightly, orchestrator], [callbackJob], schedulerRole, group.Name!, settings));

        _ = new CfnOutput(this, "OperatorScheduleGroup", new CfnOutputProps { Value = settings.OperatorScheduleGroup, Description = "Created by the dashboard, not by CloudFormation" });
        _ = new CfnOutput(this, "BatchJobArn", new CfnOutputProps { Value = batchJob.StateMachineArn });
        _ = new CfnOutput(this, "WorkerRepositoryUri", new CfnOutputProps { Value = repository.RepositoryUri });
    }

    /// <summary>
    /// workerSecrets context: <c>ENV_NAME=secret-name[:json-key],…</c>. Each becomes an ECS secret of the worker's
    /// container (ECS reads it with the task execution role at start and sets the variable); null when unset.
    /// </summary>
    private Dictionary<string, Amazon.CDK.AWS.ECS.Secret>? WorkerSecrets(string? setting)
    {
        if (setting is null)
        {
            return null;
        }

        var secrets = new Dictionary<string, Amazon.CDK.AWS.ECS.Secret>(StringComparer.Ordinal);
        foreach (var entry in setting.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2);
            if (parts.Length != 2 || !System.Text.RegularExpressions.Regex.IsMatch(parts[0], "^[A-Za-z_][A-Za-z0-9_]*$") || parts[1].Length == 0)
            {
                throw new ArgumentException($"workerSecrets: '{entry}' is not ENV_NAME=secret-name[:json-key] (an environment variable name, then a Secrets Manager secret name).");
            }

            var source = parts[1].Split(':', 2);
            var secret = Amazon.CDK.AWS.SecretsManager.Secret.FromSecretNameV2(this, "WorkerSecret" + parts[0], source[0]);
            secrets[parts[0]] = source.Length == 2 ? Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(secret, source[1]) : Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(secret);
        }

        return secrets;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BatchOps.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("workerImageFromAsset needs the repository: run the CDK app from inside it.");
    }

    /// <summary>A state machine that takes the workflow contract's input, tagged so the dashboard offers its form.</summary>
    private StateMachine Workflow(string id, string name, System.Text.Json.Nodes.JsonObject definition, Dictionary<string, string> substitutions)
    {
        var machine = new StateMachine(this, id, new StateMachineProps
        {
            StateMachineName = name,
            DefinitionBody = DefinitionBody.FromString(definition.ToJsonString()),
            DefinitionSubstitutions = substitutions,
            TracingEnabled = true,
        });
        Amazon.CDK.Tags.Of(machine).Add(WorkflowTags.Input, WorkflowTags.ContractInput, new TagProps { IncludeResourceTypes = ["AWS::StepFunctions::StateMachine"] });
        return machine;
    }

    /// <summary>
    /// Least privilege for running the worker: this task definition on this cluster, its two roles passed
    /// only to ECS tasks, and (for .sync) the managed rule that reports task completion.
    /// </summary>
    private static void AllowRunningWorker(StateMachine machine, Cluster cluster, FargateTaskDefinition task, bool waitForCompletion)
    {
        machine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ecs:RunTask"],
            Resources = [task.TaskDefinitionArn],
            Conditions = new Dictionary<string, object> { ["ArnEquals"] = new Dictionary<string, object> { ["ecs:cluster"] = cluster.ClusterArn } },
        }));
        machine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ecs:StopTask", "ecs:DescribeTasks"],
            Resources = [$"arn:{Aws.PARTITION}:ecs:{Aws.REGION}:{Aws.ACCOUNT_ID}:task/{cluster.ClusterName}/*"],
        }));
        machine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["iam:PassRole"],
            Resources = [task.TaskRole.RoleArn, task.ExecutionRole!.RoleArn],
            Conditions = new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "ecs-tasks.amazonaws.com" } },
        }));
        if (waitForCompletion)
        {
            machine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                Resources = [$"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/StepFunctionsGetEventsForECSTaskRule"],
            }));
        }
    }

    /// <summary>startExecution.sync:2 of batch-job: start it, follow and stop its executions, and the managed completion rule.</summary>
    private static void AllowChildExecutions(StateMachine parent, StateMachine child)
    {
        child.GrantStartExecution(parent);
        parent.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["states:DescribeExecution", "states:StopExecution"],
            Resources = [$"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}:execution:batch-job:*"],
        }));
        parent.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resources = [$"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"],
        }));
    }
}
