using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Tests.Api;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Iam;

/// <summary>batch-job's role without its iam:PassRole statement: ECS refuses the run, as on AWS.</summary>
public sealed class MissingPassRoleTests : CdkSandboxTests
{
    protected override string Template => TemplateCopies.WithoutStatement(TemplateCopies.Synthesized, "BatchJobRoleDefaultPolicy", "iam:PassRole");

    [Fact]
    public async Task The_run_task_fails_with_ECS_AccessDenied_naming_the_role_it_may_not_pass_and_no_task_runs()
    {
        var (execution, events) = await RunAsync("""{"commands":["echo","hello"],"environment":[]}""");

        Assert.Equal(ExecutionStatus.FAILED, execution.Status);
        var failed = Assert.Single(events, e => e.Type == HistoryEventType.TaskFailed).TaskFailedEventDetails!;
        Assert.Equal("ECS.AccessDeniedException", failed.Error);
        Assert.Matches(
            @"^User: arn:aws:sts::000000000000:assumed-role/BatchOps-BatchJobRole[0-9A-F]+/[^ ]+ is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role/BatchOps-WorkerTask(Task|Execution)Role[0-9A-F]+ because no identity-based policy allows the iam:PassRole action \(Service: AmazonECS; Status Code: 400; Error Code: AccessDeniedException; Request ID: [0-9a-f-]{36}; Proxy: null\)$",
            failed.Cause);
        Assert.DoesNotContain(events, e => e.Type == HistoryEventType.TaskSubmitted);
        Assert.Empty((await Clients.Ecs.ListTasksAsync(new() { Cluster = Server.Ecs.ClusterArnOf(ClusterName()), DesiredStatus = "STOPPED" })).TaskArns ?? []);
    }

    private string ClusterName() => JsonNode.Parse(Template)!["Resources"]!.AsObject().Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ECS::Cluster").Key is var id ? $"BatchOps-{id}" : string.Empty;
}

/// <summary>Who may call what once the template is deployed with enforcement on.</summary>
public sealed class CallerRoleTests : CdkSandboxTests
{
    private TestClients Dashboard => new(Server.Endpoint, o =>
    {
        o.AccessKeyId = SandboxCredentials.DashboardAccessKeyId;
        o.SecretAccessKey = SandboxCredentials.DashboardSecretAccessKey;
    });

    [Fact]
    public async Task The_dashboard_key_acts_as_its_task_role_and_is_refused_what_the_role_does_not_allow_changing_nothing()
    {
        var listed = await Dashboard.StepFunctions.ListStateMachinesAsync(new());
        Assert.Equal(4, listed.StateMachines.Count);

        var refused = await Assert.ThrowsAnyAsync<AwsServiceException>(() => Dashboard.StepFunctions.DeleteStateMachineAsync(new() { StateMachineArn = BatchJob }));

        Assert.Equal("AccessDeniedException", refused.ErrorCode);
        Assert.Matches(
            @"^User: arn:aws:sts::000000000000:assumed-role/BatchOps-DashboardServiceTaskDefTaskRole[0-9A-F]+/dashboard is not authorized to perform: states:DeleteStateMachine on resource: arn:aws:states:us-east-1:000000000000:stateMachine:batch-job because no identity-based policy allows the states:DeleteStateMachine action$",
            refused.ErrorMessage);
        Assert.Equal(BatchJob, (await Sfn.DescribeStateMachineAsync(new() { StateMachineArn = BatchJob })).StateMachineArn);
        Assert.Contains(Server.Iam.Decisions, d => d.Request.Action == "states:DeleteStateMachine" && d.Decision == Sandbox.Iam.PolicyDecision.ImplicitDeny);
    }

    [Fact]
    public async Task A_key_the_sandbox_did_not_hand_out_is_refused_when_IAM_is_enforced()
    {
        var stranger = new TestClients(Server.Endpoint, o =>
        {
            o.AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
            o.SecretAccessKey = "not-a-sandbox-secret";
        });

        var refused = await Assert.ThrowsAnyAsync<AwsServiceException>(() => stranger.StepFunctions.ListStateMachinesAsync(new()));

        Assert.Equal("UnrecognizedClientException", refused.ErrorCode);
    }

    [Fact]
    public async Task The_dashboard_may_answer_a_callback_tokens_task_but_not_send_its_heartbeat()
    {
        var started = await Sfn.StartExecutionAsync(new() { StateMachineArn = Machines["callback-job"], Input = """{"commands":["sleep","30"],"environment":[]}""" });
        // The token is in the RunTask parameters' environment override (TASK_TOKEN), as the history records them.
        var token = await Eventually.NotNullAsync("the callback task to be scheduled with its token", async () =>
            (await Sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events
                .Select(e => e.TaskScheduledEventDetails?.Parameters).OfType<string>()
                .SelectMany(p => JsonNode.Parse(p)!["Overrides"]!["ContainerOverrides"]![0]!["Environment"]!.AsArray())
                .FirstOrDefault(v => v!["Name"]!.GetValue<string>() == "TASK_TOKEN")?["Value"]?.GetValue<string>());

        var heartbeat = await Assert.ThrowsAnyAsync<AwsServiceException>(() => Dashboard.StepFunctions.SendTaskHeartbeatAsync(new() { TaskToken = token }));
        Assert.Equal("AccessDeniedException", heartbeat.ErrorCode);
        Assert.Contains("states:SendTaskHeartbeat on resource: " + Machines["callback-job"], heartbeat.ErrorMessage, StringComparison.Ordinal);

        await Dashboard.StepFunctions.SendTaskFailureAsync(new() { TaskToken = token, Error = "Operator.Rescued", Cause = "answered by the dashboard" });
        await Server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(ExecutionStatus.FAILED, (await Sfn.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn })).Status);
    }
}
