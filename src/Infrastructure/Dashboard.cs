using Amazon.CDK;
using Amazon.CDK.AWS.CertificateManager;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ECS.Patterns;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Amazon.CDK.AWS.StepFunctions;
using Constructs;
using EcsSecret = Amazon.CDK.AWS.ECS.Secret;

namespace BatchOps.Infrastructure;

/// <summary>What the dashboard's deployment needs from the rest of the stack.</summary>
/// <param name="CallbackWorkflows">The workflows that wait for a task token: Admins may answer one no worker is left to answer.</param>
/// <param name="ManagedScheduleGroup">The schedule group CloudFormation deploys (shown read-only).</param>
public sealed record DashboardResources(IVpc Vpc, Cluster Cluster, ITopic Alerts, StateMachine[] Workflows, StateMachine[] CallbackWorkflows, Role SchedulerRole, string ManagedScheduleGroup, BatchOpsSettings Settings);

/// <summary>
/// The dashboard itself: Fargate service behind an HTTPS load balancer with sticky sessions (Blazor
/// Server circuits), PostgreSQL for the read model with its credentials in Secrets Manager, a task role
/// that can read and operate exactly the workflows, and alarms on 5xx responses and failed executions.
/// </summary>
public static class Dashboard
{
    private const string SignInHelp =
        "a sign-in provider (-c oidcAuthority=... -c oidcClientId=... -c oidcClientSecretName=... for any OpenID Connect provider, "
        + "or -c entraTenantId=... -c entraClientId=... -c entraClientSecretName=... for Microsoft Entra ID)";

    /// <summary>The dashboard's sign-in settings as its container reads them (AzureAd or Oidc section), and where its client secret lives.</summary>
    private sealed record SignIn(Dictionary<string, string> Variables, string? SecretVariable, string? SecretName);

    private static SignIn? SignInEnvironment(BatchOpsSettings settings)
    {
        var entra = settings.EntraTenantId is not null || settings.EntraClientId is not null;
        var oidc = settings.OidcAuthority is not null || settings.OidcClientId is not null;
        if (entra && oidc)
        {
            throw new InvalidOperationException("Set either the entra* or the oidc* context keys for the dashboard's sign-in, not both.");
        }

        if (entra)
        {
            if (settings.EntraTenantId is null || settings.EntraClientId is null || settings.EntraClientSecretName is null)
            {
                throw new InvalidOperationException("Microsoft Entra sign-in needs entraTenantId, entraClientId and entraClientSecretName (a Secrets Manager secret holding the client secret).");
            }

            return new SignIn(
                new() { ["AzureAd__Instance"] = settings.EntraInstance, ["AzureAd__TenantId"] = settings.EntraTenantId, ["AzureAd__ClientId"] = settings.EntraClientId },
                "AzureAd__ClientSecret",
                settings.EntraClientSecretName);
        }

        if (oidc)
        {
            if (settings.OidcAuthority is null || settings.OidcClientId is null || settings.OidcClientSecretName is null)
            {
                throw new InvalidOperationException("OpenID Connect sign-in needs oidcAuthority, oidcClientId and oidcClientSecretName (a Secrets Manager secret holding the client secret).");
            }

            return new SignIn(new() { ["Oidc__Authority"] = settings.OidcAuthority, ["Oidc__ClientId"] = settings.OidcClientId }, "Oidc__ClientSecret", settings.OidcClientSecretName);
        }

        return null;
    }

    public static void Add(Construct scope, DashboardResources r)
    {
        var settings = r.Settings;
        var signIn = SignInEnvironment(settings);
        var https = settings.CertificateArn is not null;
        if (settings.PublicDashboard && (!https || signIn is null))
        {
            // A public address without TLS or without sign-in is one environment variable away from an open dashboard
            // whose task role can start, stop and redrive workflows: refuse, and say what to set.
            throw new InvalidOperationException(
                "A public dashboard (publicDashboard=true) needs "
                + string.Join(" and ", new[] { https ? null : "HTTPS (-c certificateArn=... -c domainName=...)", signIn is not null ? null : SignInHelp }.OfType<string>())
                + ". Or leave publicDashboard unset for an internal load balancer, reachable only inside the VPC (VPN, bastion).");
        }

        var database = new DatabaseInstance(scope, "ReadModel", new DatabaseInstanceProps
        {
            Engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps { Version = PostgresEngineVersion.VER_16 }),
            InstanceType = Amazon.CDK.AWS.EC2.InstanceType.Of(InstanceClass.T4G, InstanceSize.SMALL),
            Vpc = r.Vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            PubliclyAccessible = false,
            Credentials = Amazon.CDK.AWS.RDS.Credentials.FromGeneratedSecret("batchops"),
            DatabaseName = "batchops",
            StorageEncrypted = true,
            MultiAz = false,
            BackupRetention = Duration.Days(7),
            DeletionProtection = true,
        });

        var repository = new Repository(scope, "DashboardRepository", new RepositoryProps { RepositoryName = "batchops-dashboard", ImageScanOnPush = true });
        var secrets = new Dictionary<string, EcsSecret>
        {
            // Secrets reach the container through ECS from Secrets Manager, never as plain environment values.
            ["ConnectionStrings__ReadModelPassword"] = EcsSecret.FromSecretsManager(database.Secret!, "password"),
        };
        if (signIn is { SecretVariable: { } secretVariable, SecretName: { } secretName })
        {
            secrets[secretVariable] = EcsSecret.FromSecretsManager(Amazon.CDK.AWS.SecretsManager.Secret.FromSecretNameV2(scope, "SignInClientSecret", secretName));
        }

        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["BatchOps__Mode"] = "Aws",
            // Both tasks share the PostgreSQL read model; Hangfire's storage beside it runs each sync job on one of them.
            ["ReadModel__Provider"] = "PostgreSQL",
            ["ReadModel__Host"] = database.DbInstanceEndpointAddress,
            ["ReadModel__Database"] = "batchops",
            ["ReadModel__Username"] = "batchops",
            ["Schedules__OperatorGroup"] = settings.OperatorScheduleGroup,
            ["Schedules__TargetRoleArn"] = r.SchedulerRole.RoleArn,
            // Only the load balancer (inside the VPC) is believed about the scheme and client address.
            ["ForwardedHeaders__KnownNetworks__0"] = r.Vpc.VpcCidrBlock,
        };
        foreach (var (key, value) in signIn?.Variables ?? [])
        {
            environment[key] = value;
        }

        var service = new ApplicationLoadBalancedFargateService(scope, "DashboardService", new ApplicationLoadBalancedFargateServiceProps
        {
            Cluster = r.Cluster,
            Cpu = 512,
            MemoryLimitMiB = 1024,
            DesiredCount = 2,
            PublicLoadBalancer = settings.PublicDashboard,
            Protocol = https ? ApplicationProtocol.HTTPS : ApplicationProtocol.HTTP,
            Certificate = https ? Certificate.FromCertificateArn(scope, "DashboardCertificate", settings.CertificateArn!) : null,
            RedirectHTTP = https,
            DomainName = null,
            TaskImageOptions = new ApplicationLoadBalancedTaskImageOptions
            {
                Image = ContainerImage.FromEcrRepository(repository, settings.DashboardImageTag),
                ContainerPort = 8080,
                Environment = environment,
                Secrets = secrets,
            },
        });
        if (!https)
        {
            Annotations.Of(service).AddWarning("No certificateArn in context: the dashboard listens on HTTP (internal load balancer only). Set -c certificateArn=... -c domainName=... for HTTPS.");
        }

        if (signIn is null)
        {
            Annotations.Of(service).AddWarning($"No sign-in settings: the dashboard refuses to start without them. {SignInHelp}.");
        }

        // Requests for any other host name are refused (400): the dashboard answers to its own name only.
        service.TaskDefinition.DefaultContainer!.AddEnvironment("AllowedHosts", settings.DomainName ?? service.LoadBalancer.LoadBalancerDnsName);

        // Blazor Server keeps a circuit per browser tab on one instance: stick sessions to it.
        service.TargetGroup.EnableCookieStickiness(Duration.Hours(8));
        service.TargetGroup.ConfigureHealthCheck(new Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck { Path = "/healthz", HealthyHttpCodes = "200" });
        database.Connections.AllowDefaultPortFrom(service.Service, "dashboard to read model");

        // The task role allows exactly the calls the dashboard makes (RoleCoverageTests in Sandbox.Tests lists them
        // from the clients and checks each statement is needed). Actions without resource-level permissions
        // (ListStateMachines, ListClusters, ListSchedules, ListScheduleGroups) authorize only on "*"; they return names and ARNs.
        var role = service.TaskDefinition.TaskRole;
        var container = service.TaskDefinition.DefaultContainer!;
        Allow(role, ["states:ListStateMachines"], ["*"]);
        Allow(role, ["ecs:ListClusters"], ["*"]);
        Allow(role, ["scheduler:ListSchedules", "scheduler:ListScheduleGroups"], ["*"]);
        Allow(role, ["states:DescribeStateMachine", "states:ListExecutions", "states:StartExecution", "states:ListTagsForResource"], [.. r.Workflows.Select(w => w.StateMachineArn)]);
        Allow(role, ["states:DescribeExecution", "states:GetExecutionHistory", "states:StopExecution", "states:RedriveExecution"],
            [.. r.Workflows.Select(w => $"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}:execution:{w.StateMachineName}:*")]);
        // Callback rescue: Admins answer a task token whose worker is gone (never a heartbeat: that would hide a dead worker).
        Allow(role, ["states:SendTaskSuccess", "states:SendTaskFailure"], [.. r.CallbackWorkflows.Select(w => w.StateMachineArn)]);
        // Stopped tasks: ListTasks authorizes on "*" with the cluster as a condition; DescribeTasks on the cluster's tasks.
        Allow(role, ["ecs:ListTasks"], ["*"], new() { ["ArnEquals"] = new Dictionary<string, object> { ["ecs:cluster"] = r.Cluster.ClusterArn } });
        Allow(role, ["ecs:DescribeTasks"], [$"arn:{Aws.PARTITION}:ecs:{Aws.REGION}:{Aws.ACCOUNT_ID}:task/{r.Cluster.ClusterName}/*"]);
        // Schedules: read the managed and the operators' groups, write only the operators' (CloudFormation owns the other).
        Allow(role, ["scheduler:GetSchedule"],
            [$"arn:{Aws.PARTITION}:scheduler:{Aws.REGION}:{Aws.ACCOUNT_ID}:schedule/{settings.OperatorScheduleGroup}/*", $"arn:{Aws.PARTITION}:scheduler:{Aws.REGION}:{Aws.ACCOUNT_ID}:schedule/{r.ManagedScheduleGroup}/*"]);
        Allow(role, ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
            [$"arn:{Aws.PARTITION}:scheduler:{Aws.REGION}:{Aws.ACCOUNT_ID}:schedule/{settings.OperatorScheduleGroup}/*"]);
        Allow(role, ["scheduler:CreateScheduleGroup", "scheduler:GetScheduleGroup"],
            [$"arn:{Aws.PARTITION}:scheduler:{Aws.REGION}:{Aws.ACCOUNT_ID}:schedule-group/{settings.OperatorScheduleGroup}"]);
        Allow(role, ["iam:PassRole"], [r.SchedulerRole.RoleArn], new() { ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "scheduler.amazonaws.com" } });

        // What the dashboard syncs: the stack's workflows, cluster and schedule groups, not everything in the account.
        foreach (var (workflow, i) in r.Workflows.Select((w, i) => (w, i)))
        {
            container.AddEnvironment($"Sync__StateMachineArns__{i}", workflow.StateMachineArn);
        }

        container.AddEnvironment("Sync__Clusters__0", r.Cluster.ClusterArn);
        container.AddEnvironment("Schedules__Groups__0", settings.OperatorScheduleGroup);
        container.AddEnvironment("Schedules__Groups__1", r.ManagedScheduleGroup);

        var notify = new SnsAction(r.Alerts);
        if (settings.AlarmEmail is { } email)
        {
            r.Alerts.AddSubscription(new EmailSubscription(email));
        }

        var server5xx = service.LoadBalancer.Metrics.HttpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, new MetricOptions { Period = Duration.Minutes(5) })
            .CreateAlarm(scope, "Dashboard5xx", new CreateAlarmOptions
            {
                AlarmDescription = "The dashboard answered with 5xx errors",
                Threshold = 5,
                EvaluationPeriods = 1,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
        server5xx.AddAlarmAction(notify);
        foreach (var workflow in r.Workflows)
        {
            var failed = workflow.MetricFailed(new MetricOptions { Period = Duration.Minutes(5) })
                .CreateAlarm(scope, $"{workflow.Node.Id}Failed", new CreateAlarmOptions
                {
                    AlarmDescription = $"Executions of {workflow.Node.Id} failed",
                    Threshold = 1,
                    EvaluationPeriods = 1,
                    TreatMissingData = TreatMissingData.NOT_BREACHING,
                });
            failed.AddAlarmAction(notify);
        }

        _ = new CfnOutput(scope, "DashboardUrl", new CfnOutputProps { Value = $"{(https ? "https" : "http")}://{settings.DomainName ?? service.LoadBalancer.LoadBalancerDnsName}" });
    }

    private static void Allow(IRole role, string[] actions, string[] resources, Dictionary<string, object>? conditions = null) =>
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps { Actions = actions, Resources = resources, Conditions = conditions }));
}
