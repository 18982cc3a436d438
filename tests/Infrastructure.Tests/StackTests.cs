using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Infrastructure.Workflows;
using BatchOps.TestSupport;

namespace BatchOps.Infrastructure.Tests;

[Collection(JsiiCollection.Name)]
public sealed class StackTests(StackFixture stack) : IClassFixture<StackFixture>
{
    [Fact]
    public void The_worker_cluster_has_container_insights_and_a_fargate_task_definition_logging_to_cloudwatch()
    {
        stack.Template.HasResourceProperties("AWS::ECS::Cluster", new Dictionary<string, object>
        {
            ["ClusterSettings"] = new[] { new Dictionary<string, object> { ["Name"] = "containerInsights", ["Value"] = "enabled" } },
        });
        stack.Template.HasResourceProperties("AWS::ECS::TaskDefinition", new Dictionary<string, object>
        {
            ["Family"] = "batchops-worker",
            ["RequiresCompatibilities"] = new[] { "FARGATE" },
            ["Cpu"] = "256",
            ["Memory"] = "512",
            ["ContainerDefinitions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
            {
                ["Name"] = "worker",
                ["Essential"] = true,
                ["LogConfiguration"] = Match.ObjectLike(new Dictionary<string, object> { ["LogDriver"] = "awslogs" }),
            })]),
        });
    }

    [Fact]
    public void Batch_job_runs_the_worker_with_the_contracts_commands_and_environment_as_overrides()
    {
        var run = stack.Definition("batch-job")["States"]!["Run worker"]!;

        Assert.Equal("arn:aws:states:::ecs:runTask.sync", run["Resource"]!.GetValue<string>());
        var container = run["Parameters"]!["Overrides"]!["ContainerOverrides"]![0]!;
        Assert.Equal("$.commands", container["Command.$"]!.GetValue<string>());
        Assert.Equal("$.environment", container["Environment.$"]!.GetValue<string>());
        Assert.Equal("${ClusterArn}", run["Parameters"]!["Cluster"]!.GetValue<string>());
        Assert.Contains("ECS.AmazonECSException", run["Retry"]![0]!["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("Read stopped task", run["Catch"]![0]!["Next"]!.GetValue<string>());
    }

    [Fact]
    public void Batch_job_retries_only_retryable_stops_with_a_counter_and_backoff()
    {
        var states = stack.Definition("batch-job")["States"]!;
        var choices = states["Retryable?"]!["Choices"]!.AsArray();

        // Out of attempts first, then one rule per row of the contract's table, in its order (first match wins).
        Assert.Equal("""{"Variable":"$.attempt","NumericGreaterThanEquals":3,"Next":"Notify failure"}""", choices[0]!.ToJsonString());
        Assert.Equal(StopReasonTable.TaskRules.Count, choices.Count - 1);
        for (var i = 0; i < StopReasonTable.TaskRules.Count; i++)
        {
            var rule = StopReasonTable.TaskRules[i];
            Assert.Contains(rule.Pattern == StopReasonRule.Any ? StopReasonChoices.PathOf(rule.Fact) : rule.Pattern, choices[i + 1]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(rule.Retryable ? "Back off" : "Notify failure", choices[i + 1]!["Next"]!.GetValue<string>());
        }

        Assert.Equal("Notify failure", states["Retryable?"]!["Default"]!.GetValue<string>());
        Assert.Equal("Run worker", states["Wait before retry"]!["Next"]!.GetValue<string>());
        // The last attempt is an uncaught copy: out of retries, the execution fails at the task (a redrive runs it again).
        Assert.Equal("Run worker (last attempt)", states["Wait before last attempt"]!["Next"]!.GetValue<string>());
        Assert.NotNull(states["Run worker"]!["Catch"]);
        Assert.Null(states["Run worker (last attempt)"]!["Catch"]);
        Assert.Equal(states["Run worker"]!["Parameters"]!.ToJsonString(), states["Run worker (last attempt)"]!["Parameters"]!.ToJsonString());
        Assert.Equal("arn:aws:states:::sns:publish", states["Notify success"]!["Resource"]!.GetValue<string>());
    }

    [Fact]
    public void Callback_job_waits_for_the_task_token_with_heartbeat_and_timeout_and_passes_the_token_to_the_worker()
    {
        var run = stack.Definition("callback-job")["States"]!["Run worker"]!;

        Assert.Equal("arn:aws:states:::ecs:runTask.waitForTaskToken", run["Resource"]!.GetValue<string>());
        Assert.Equal(60, run["HeartbeatSeconds"]!.GetValue<int>());
        Assert.Equal(3600, run["TimeoutSeconds"]!.GetValue<int>());
        var environment = run["Parameters"]!["Overrides"]!["ContainerOverrides"]![0]!["Environment.$"]!.GetValue<string>();
        Assert.Contains("TASK_TOKEN", environment, StringComparison.Ordinal);
        Assert.Contains("$$.Task.Token", environment, StringComparison.Ordinal);
        Assert.Contains("BATCHOPS_ENVIRONMENT", environment, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_worker_and_the_dashboard_may_call_back_and_only_to_callback_job_and_only_the_worker_heartbeats()
    {
        var callbacks = stack.Resources("AWS::IAM::Policy")
            .SelectMany(p => p.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(st => (Policy: p.Id, Statement: st!)))
            .Where(x => x.Statement["Action"]!.ToJsonString().Contains("states:SendTask", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(2, callbacks.Count);
        var worker = Assert.Single(callbacks, c => c.Policy.Contains("WorkerTask", StringComparison.Ordinal)).Statement;
        Assert.Equal(["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"], worker["Action"]!.AsArray().Select(a => a!.GetValue<string>()).Order(StringComparer.Ordinal));
        var dashboard = Assert.Single(callbacks, c => !c.Policy.Contains("WorkerTask", StringComparison.Ordinal)).Statement;
        Assert.Equal(["states:SendTaskFailure", "states:SendTaskSuccess"], dashboard["Action"]!.AsArray().Select(a => a!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(callbacks, c => Assert.Contains("CallbackJob", c.Statement["Resource"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.All(callbacks, c => Assert.DoesNotContain("BatchJob", c.Statement["Resource"]!.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Nightly_batch_runs_two_children_and_a_direct_task_in_parallel_uncaught_so_a_redrive_reruns_the_failed_branch()
    {
        var states = stack.Definition("nightly-batch")["States"]!;
        var parallel = states["Run in parallel"]!;
        var branches = parallel["Branches"]!.AsArray();

        Assert.Equal(3, branches.Count);
        Assert.DoesNotContain("\"Catch\"", parallel.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, branches.Count(b => b!.ToJsonString().Contains("startExecution.sync:2", StringComparison.Ordinal)));
        Assert.Equal(1, branches.Count(b => b!.ToJsonString().Contains("ecs:runTask.sync", StringComparison.Ordinal)));
        Assert.Equal("Final job", parallel["Next"]!.GetValue<string>());
        Assert.DoesNotContain(states.AsObject(), s => s.Value!["Type"]!.GetValue<string>() == "Fail");
        Assert.Equal("Resume?", stack.Definition("nightly-batch")["StartAt"]!.GetValue<string>());
    }

    [Fact]
    public void Child_executions_are_named_after_the_parent_the_step_and_the_parents_redrive_count()
    {
        foreach (var workflow in new[] { "nightly-batch", "orchestrator" })
        {
            var names = stack.Definition(workflow).ToJsonString();
            Assert.Contains("$$.Execution.RedriveCount", names, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Orchestrator_runs_batch_job_children_serially_with_different_commands_and_a_resume_router()
    {
        var definition = stack.Definition("orchestrator");
        var states = definition["States"]!;

        Assert.Equal(["Extract", "Transform", "Report"], states["Resume?"]!["Choices"]!.AsArray().Select(c => c!["Next"]!.GetValue<string>()));
        Assert.Equal("Transform", states["Extract"]!["Next"]!.GetValue<string>());
        Assert.Equal("Report", states["Transform"]!["Next"]!.GetValue<string>());
        var commands = new[] { "Extract", "Transform", "Report" }.Select(s => states[s]!["Parameters"]!["Input"]!["commands.$"]!.GetValue<string>()).ToList();
        Assert.Equal(3, commands.Distinct().Count());
        Assert.All(new[] { "Extract", "Transform", "Report" }, s => Assert.Equal("arn:aws:states:::states:startExecution.sync:2", states[s]!["Resource"]!.GetValue<string>()));
    }

    [Fact]
    public void The_nightly_schedule_runs_at_five_in_tokyo_with_retries_and_a_dead_letter_queue()
    {
        stack.Template.HasResourceProperties("AWS::Scheduler::Schedule", new Dictionary<string, object>
        {
            ["ScheduleExpression"] = "cron(0 5 * * ? *)",
            ["ScheduleExpressionTimezone"] = "Asia/Tokyo",
            ["FlexibleTimeWindow"] = new Dictionary<string, object> { ["Mode"] = "OFF" },
            ["GroupName"] = "batchops-managed",
            ["Target"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["RetryPolicy"] = new Dictionary<string, object> { ["MaximumRetryAttempts"] = 3, ["MaximumEventAgeInSeconds"] = 3600 },
                ["DeadLetterConfig"] = Match.ObjectLike(new Dictionary<string, object> { ["Arn"] = Match.AnyValue() }),
            }),
        });
        // The operator-owned group is not a CloudFormation resource: a deploy never reverts operators' schedules.
        Assert.Single(stack.Resources("AWS::Scheduler::ScheduleGroup"));
        Assert.Equal("batchops-operator", stack.Json["Outputs"]!["OperatorScheduleGroup"]!["Value"]!.GetValue<string>());
    }

    [Fact]
    public void The_scheduler_role_may_start_only_the_four_workflows()
    {
        var role = stack.Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["AssumeRolePolicyDocument"]!.ToJsonString().Contains("scheduler.amazonaws.com", StringComparison.Ordinal)).Id;
        var statements = stack.Resources("AWS::IAM::Policy")
            .Where(p => p.Resource["Properties"]!["Roles"]!.ToJsonString().Contains(role, StringComparison.Ordinal))
            .SelectMany(p => p.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).ToList();

        var start = statements.Where(s => s!["Action"]!.ToJsonString().Contains("states:StartExecution", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, start.Count);
        Assert.All(statements, s => Assert.DoesNotContain("\"*\"", s!["Resource"]!.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public void The_dashboard_sits_behind_a_load_balancer_with_sticky_sessions_and_a_healthz_check()
    {
        stack.Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", new Dictionary<string, object>
        {
            ["HealthCheckPath"] = "/healthz",
            ["TargetGroupAttributes"] = Match.ArrayWith([
                Match.ObjectLike(new Dictionary<string, object> { ["Key"] = "stickiness.enabled", ["Value"] = "true" }),
                Match.ObjectLike(new Dictionary<string, object> { ["Key"] = "stickiness.type", ["Value"] = "lb_cookie" })]),
        });
    }

    [Fact]
    public void The_read_model_database_is_private_encrypted_and_its_password_reaches_the_dashboard_only_as_a_secret()
    {
        stack.Template.HasResourceProperties("AWS::RDS::DBInstance", new Dictionary<string, object>
        {
            ["Engine"] = "postgres",
            ["PubliclyAccessible"] = false,
            ["StorageEncrypted"] = true,
        });
        var dashboardTask = stack.Resources("AWS::ECS::TaskDefinition").Single(t => t.Id.StartsWith("DashboardService", StringComparison.Ordinal)).Resource;
        var container = dashboardTask["Properties"]!["ContainerDefinitions"]![0]!;
        Assert.Contains(container["Secrets"]!.AsArray(), s => s!["Name"]!.GetValue<string>() == "ConnectionStrings__ReadModelPassword");
        Assert.DoesNotContain(container["Environment"]!.AsArray(), e => e!["Name"]!.GetValue<string>().Contains("Password", StringComparison.OrdinalIgnoreCase) || e["Name"]!.GetValue<string>().Contains("Secret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Alarms_watch_dashboard_5xx_and_failed_executions_of_every_workflow()
    {
        var alarms = stack.Resources("AWS::CloudWatch::Alarm").Select(a => a.Resource["Properties"]!).ToList();

        Assert.Contains(alarms, a => a["MetricName"]?.GetValue<string>() == "HTTPCode_Target_5XX_Count");
        Assert.Equal(4, alarms.Count(a => a["MetricName"]?.GetValue<string>() == "ExecutionsFailed"));
        Assert.All(alarms, a => Assert.NotEmpty(a["AlarmActions"]!.AsArray()));
    }

    [Fact]
    public void No_iam_statement_allows_every_action_and_PassRole_names_its_roles()
    {
        foreach (var (id, policy) in stack.Resources("AWS::IAM::Policy"))
        {
            foreach (var statement in policy["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
            {
                var actions = statement!["Action"] is JsonArray list ? list.Select(a => a!.GetValue<string>()).ToList() : [statement["Action"]!.GetValue<string>()];
                Assert.DoesNotContain(actions, a => a == "*" || a.EndsWith(":*", StringComparison.Ordinal));
                if (actions.Contains("iam:PassRole"))
                {
                    // Passed only to the service that needs the role: ECS for the worker's roles, Scheduler for the scheduler role.
                    Assert.True(statement["Resource"] is JsonArray { Count: 2 } || statement["Resource"] is JsonObject, $"{id}: PassRole must name its roles");
                    Assert.Contains(statement["Condition"]!["StringEquals"]!["iam:PassedToService"]!.GetValue<string>(), new[] { "ecs-tasks.amazonaws.com", "scheduler.amazonaws.com" });
                }
            }
        }
    }

    [Fact]
    public void Context_selects_an_existing_vpc_and_an_existing_alarm_topic_instead_of_creating_them()
    {
        var app = new Amazon.CDK.App(new Amazon.CDK.AppProps
        {
            Outdir = Path.Combine(Path.GetTempPath(), "batchops-cdk-" + Guid.NewGuid().ToString("N")),
            Context = new Dictionary<string, object> { ["vpcId"] = "vpc-0abc1234", ["alarmTopicArn"] = "arn:aws:sns:eu-west-1:123456789012:oncall" },
        });

        var template = Template.FromStack(BatchOpsStack.Create(app, new Amazon.CDK.Environment { Account = "123456789012", Region = "eu-west-1" }));

        template.ResourceCountIs("AWS::EC2::VPC", 0);
        template.ResourceCountIs("AWS::SNS::Topic", 0);
        template.HasResourceProperties("AWS::CloudWatch::Alarm", new Dictionary<string, object> { ["AlarmActions"] = new[] { "arn:aws:sns:eu-west-1:123456789012:oncall" } });
    }

    [Fact]
    public void The_checked_in_template_for_the_sandbox_is_what_the_app_synthesizes_today()
    {
        var checkedIn = Path.Combine(RepositoryPaths.Root, "src", "Infrastructure", "synth", "BatchOps.template.json");
        var current = JsonNode.Parse(File.ReadAllText(checkedIn));

        Assert.True(JsonNode.DeepEquals(current, stack.Json), "src/Infrastructure/synth/BatchOps.template.json is stale: run `dotnet run --project src/Infrastructure` and copy cdk.out/BatchOps.template.json there (see README).");
    }
}
