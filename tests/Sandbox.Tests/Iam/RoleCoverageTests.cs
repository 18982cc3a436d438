using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Deployment;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Iam;
using BatchOps.Sandbox.StepFunctions;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Iam;

/// <summary>
/// The synthesized template's roles are exact: every AWS operation a component calls (read from its assembly's calls
/// into our clients, not listed by hand) and every integration a workflow makes (read from its definition) is allowed
/// for its role on the stack's resources, and removing any one statement of the role refuses something.
/// </summary>
public sealed class RoleCoverageTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> ClientServices = new(StringComparer.Ordinal)
    {
        ["IAmazonStepFunctions"] = "states", ["StepFunctionsPaginators"] = "states",
        ["IAmazonECS"] = "ecs", ["EcsPaginators"] = "ecs",
        ["IAmazonScheduler"] = "scheduler", ["SchedulerPaginators"] = "scheduler",
    };

    private SandboxServer _server = null!;
    private DeployResult _deployed = null!;
    private SandboxPermissions _permissions = null!;
    private readonly TaskTokens _tokens = new();
    private readonly SandboxAccount _account = new();

    public async Task InitializeAsync()
    {
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", defaultCluster: false);
        _deployed = _server.Deploy(TemplateCopies.Synthesized);
        _permissions = new SandboxPermissions(_account, _server.Ecs, _tokens);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Machine(string name) => _deployed.Created.Values.Single(v => v.EndsWith(":stateMachine:" + name, StringComparison.Ordinal));

    private IEnumerable<string> Workflows => _deployed.Created.Values.Where(v => v.Contains(":stateMachine:", StringComparison.Ordinal));

    private string Cluster => _deployed.Created.Values.Single(v => v.Contains(":cluster/", StringComparison.Ordinal));

    private string RoleOf(string logicalIdPrefix) => _deployed.Created.Single(c => c.Key.StartsWith(logicalIdPrefix, StringComparison.Ordinal) && c.Value.Contains(":role/", StringComparison.Ordinal)).Value;

    /// <summary>The operations an assembly calls on our AWS clients (interface methods and paginators), as (service, operation).</summary>
    public static SortedSet<string> OperationsCalledBy(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var operations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference
                || !ClientServices.TryGetValue(metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)member.Parent).Name), out var service))
            {
                continue;
            }

            var name = metadata.GetString(member.Name);
            foreach (var suffix in new[] { "ItemsAsync", "PagesAsync", "Async" })
            {
                if (name.EndsWith(suffix, StringComparison.Ordinal))
                {
                    operations.Add($"{service}:{name[..^suffix.Length]}");
                    break;
                }
            }
        }

        return operations;
    }

    [Fact]
    public void The_dashboard_task_role_allows_exactly_the_calls_the_dashboard_makes()
    {
        var operations = OperationsCalledBy(BuiltApps.Dll("Dashboard", "BatchOps.Dashboard"));
        Assert.Contains("states:ListExecutions", operations);
        var token = _tokens.Issue(Machine("callback-job")).Token;
        var operatorGroup = "batchops-operator";
        var schedulerRole = RoleOf("SchedulerRole");
        var task = $"arn:aws:ecs:us-east-1:000000000000:task/{Cluster[(Cluster.LastIndexOf('/') + 1)..]}/0123456789abcdef";
        IEnumerable<AuthorizationRequest> Api(string service, string operation, string body, Dictionary<string, string?>? path = null) =>
            _permissions.ForApi(service, operation, JsonNode.Parse(body), path);
        var samples = new Dictionary<string, IEnumerable<AuthorizationRequest>>(StringComparer.Ordinal)
        {
            ["states:ListStateMachines"] = Api("states", "ListStateMachines", "{}"),
            ["states:DescribeStateMachine"] = Workflows.SelectMany(w => Api("states", "DescribeStateMachine", $$"""{"stateMachineArn":"{{w}}"}""")),
            ["states:ListExecutions"] = Workflows.SelectMany(w => Api("states", "ListExecutions", $$"""{"stateMachineArn":"{{w}}"}""")),
            ["states:StartExecution"] = Workflows.SelectMany(w => Api("states", "StartExecution", $$"""{"stateMachineArn":"{{w}}"}""")),
            ["states:ListTagsForResource"] = Workflows.SelectMany(w => Api("states", "ListTagsForResource", $$"""{"resourceArn":"{{w}}"}""")),
            ["states:DescribeExecution"] = Executions("DescribeExecution"),
            ["states:GetExecutionHistory"] = Executions("GetExecutionHistory"),
            ["states:StopExecution"] = Executions("StopExecution"),
            ["states:RedriveExecution"] = Executions("RedriveExecution"),
            ["states:SendTaskSuccess"] = Api("states", "SendTaskSuccess", $$"""{"taskToken":"{{token}}"}"""),
            ["states:SendTaskFailure"] = Api("states", "SendTaskFailure", $$"""{"taskToken":"{{token}}"}"""),
            ["ecs:ListClusters"] = Api("ecs", "ListClusters", "{}"),
            ["ecs:ListTasks"] = Api("ecs", "ListTasks", $$"""{"cluster":"{{Cluster}}","desiredStatus":"STOPPED"}"""),
            ["ecs:DescribeTasks"] = Api("ecs", "DescribeTasks", $$"""{"cluster":"{{Cluster}}","tasks":["{{task}}"]}"""),
            ["scheduler:ListSchedules"] = Api("scheduler", "ListSchedules", "{}"),
            ["scheduler:ListScheduleGroups"] = Api("scheduler", "ListScheduleGroups", "{}"),
            ["scheduler:GetSchedule"] = new[] { operatorGroup, "batchops-managed" }.SelectMany(g => Api("scheduler", "GetSchedule", "{}", new() { ["name"] = "nightly", ["groupName"] = g })),
            ["scheduler:CreateSchedule"] = Api("scheduler", "CreateSchedule", $$$"""{"GroupName":"{{{operatorGroup}}}","Target":{"RoleArn":"{{{schedulerRole}}}"}}""", new() { ["name"] = "nightly" }),
            ["scheduler:UpdateSchedule"] = Api("scheduler", "UpdateSchedule", $$$"""{"GroupName":"{{{operatorGroup}}}","Target":{"RoleArn":"{{{schedulerRole}}}"}}""", new() { ["name"] = "nightly" }),
            ["scheduler:DeleteSchedule"] = Api("scheduler", "DeleteSchedule", "{}", new() { ["name"] = "nightly", ["groupName"] = operatorGroup }),
            ["scheduler:CreateScheduleGroup"] = Api("scheduler", "CreateScheduleGroup", "{}", new() { ["name"] = operatorGroup }),
            ["scheduler:GetScheduleGroup"] = Api("scheduler", "GetScheduleGroup", "{}", new() { ["name"] = operatorGroup }),
        };

        AssertExact(RoleOf("DashboardServiceTaskDefTaskRole"), operations, samples);
    }

    [Fact]
    public void The_worker_task_role_allows_exactly_its_callbacks_on_callback_job()
    {
        var operations = OperationsCalledBy(BuiltApps.Dll("Worker", "BatchOps.Worker"));
        var token = _tokens.Issue(Machine("callback-job")).Token;
        var samples = operations.ToDictionary(o => o, o => (IEnumerable<AuthorizationRequest>)_permissions.ForApi("states", o["states:".Length..], JsonNode.Parse($$"""{"taskToken":"{{token}}"}""")));

        Assert.Equal(["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"], operations);
        AssertExact(_server.Ecs.FindDefinition("batchops-worker")!.TaskRoleArn!, operations, samples);
    }

    [Theory]
    [InlineData("batch-job")]
    [InlineData("callback-job")]
    [InlineData("nightly-batch")]
    [InlineData("orchestrator")]
    public void Each_state_machine_role_allows_exactly_the_integrations_its_definition_makes(string name)
    {
        var arn = Machine(name);
        var described = _server.StepFunctions.DescribeStateMachine(new() { StateMachineArn = arn });
        var info = new ExecutionInfo($"arn:aws:states:us-east-1:000000000000:execution:{name}:sample", "sample", arn, name, described.RoleArn!, DateTimeOffset.UnixEpoch, "us-east-1", "000000000000", null, 0);
        var samples = new Dictionary<string, IEnumerable<AuthorizationRequest>>(StringComparer.Ordinal);
        foreach (var (state, resource, parameters) in TaskStates(JsonNode.Parse(described.Definition!)!))
        {
            var (type, _, action, pattern) = TaskExecutor.ParseResource(resource);
            var call = new TaskCall(resource, type, action, action, pattern, parameters, info, state, null);
            var started = type == "ecs"
                ? JsonNode.Parse($$$"""{"Tasks":[{"TaskArn":"arn:aws:ecs:us-east-1:000000000000:task/{{{Cluster[(Cluster.LastIndexOf('/') + 1)..]}}}/sample"}]}""")
                : JsonNode.Parse($$"""{"ExecutionArn":"arn:aws:states:us-east-1:000000000000:execution:batch-job:sample"}""");
            samples[$"{state} ({resource})"] = [
                .. _permissions.ForIntegrationStart(call),
                .. pattern.StartsWith("sync", StringComparison.Ordinal) ? _permissions.ForIntegrationWait(call, started) : [],
                .. _permissions.ForIntegrationCancel(call, started)];
        }

        // Step Functions sends X-Ray traces as the role when tracing is on (the sandbox does not emulate X-Ray itself).
        var template = JsonNode.Parse(TemplateCopies.Synthesized)!["Resources"]!.AsObject();
        if (template.Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::StepFunctions::StateMachine" && r.Value["Properties"]!["StateMachineName"]?.GetValue<string>() == name).Value!["Properties"]!["TracingConfiguration"]?["Enabled"]?.GetValue<bool>() == true)
        {
            samples["X-Ray tracing"] = new[] { "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets" }.Select(a => new AuthorizationRequest(a, "*"));
        }

        AssertExact(described.RoleArn!, [.. samples.Keys], samples);
    }

    [Fact]
    public void The_scheduler_role_may_start_every_workflow_and_dead_letter_and_nothing_else()
    {
        var queue = JsonNode.Parse(TemplateCopies.Synthesized)!["Resources"]!.AsObject().Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::SQS::Queue").Key;
        var samples = Workflows.ToDictionary(w => "start " + w, w => (IEnumerable<AuthorizationRequest>)[new AuthorizationRequest("states:StartExecution", w)]);
        samples["dead-letter"] = [new AuthorizationRequest("sqs:SendMessage", $"arn:aws:sqs:us-east-1:000000000000:BatchOps-{queue}")];

        AssertExact(RoleOf("SchedulerRole"), [.. samples.Keys], samples);
    }

    /// <summary>Every listed operation has samples, all allowed; without any one statement of the role, some sample is refused.</summary>
    private void AssertExact(string roleArn, IEnumerable<string> operations, Dictionary<string, IEnumerable<AuthorizationRequest>> samples)
    {
        var missing = operations.Where(o => !samples.ContainsKey(o)).ToList();
        Assert.True(missing.Count == 0, $"No sample requests for {string.Join(", ", missing)}: add them to this test, and the permission to the role.");
        var requests = operations.SelectMany(o => samples[o].Select(r => (Operation: o, Request: r))).ToList();
        var statements = _server.Iam.PoliciesOf(roleArn).SelectMany(p => p.Statements).ToList();
        Assert.NotEmpty(statements);
        var refused = requests.Where(r => PolicyEvaluator.Evaluate(statements, r.Request) != PolicyDecision.Allow).Select(r => $"{r.Operation}: {r.Request}").ToList();
        Assert.True(refused.Count == 0, $"{roleArn} does not allow: {string.Join("; ", refused)}");
        foreach (var statement in statements)
        {
            var without = statements.Where(s => !ReferenceEquals(s, statement)).ToList();
            Assert.True(
                requests.Any(r => PolicyEvaluator.Evaluate(without, r.Request) != PolicyDecision.Allow),
                $"{roleArn}: the statement allowing {string.Join(", ", statement.Actions)} on {string.Join(", ", statement.Resources)} is not needed by any call the component makes.");
        }
    }

    private IEnumerable<AuthorizationRequest> Executions(string operation) =>
        Workflows.SelectMany(w => _permissions.ForApi("states", operation, JsonNode.Parse($$"""{"executionArn":"{{w.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}}:run-1"}""")));

    /// <summary>Every Task state in a definition (inside Parallel branches and Map processors too), with its static parameters.</summary>
    private static IEnumerable<(string State, string Resource, JsonObject Parameters)> TaskStates(JsonNode definition)
    {
        foreach (var (name, state) in definition["States"]!.AsObject())
        {
            switch (state!["Type"]!.GetValue<string>())
            {
                case "Task":
                    var parameters = new JsonObject();
                    foreach (var (key, value) in state["Parameters"] as JsonObject ?? [])
                    {
                        // Values chosen at run time (keys ending in .$) are not known here; the ARNs the role is about are static.
                        if (!key.EndsWith(".$", StringComparison.Ordinal))
                        {
                            parameters[key] = value?.DeepClone();
                        }
                    }

                    yield return (name, state["Resource"]!.GetValue<string>(), parameters);
                    break;
                case "Parallel":
                    foreach (var inner in state["Branches"]!.AsArray().SelectMany(b => TaskStates(b!)))
                    {
                        yield return inner;
                    }

                    break;
                case "Map":
                    foreach (var inner in TaskStates(state["ItemProcessor"] ?? state["Iterator"]!))
                    {
                        yield return inner;
                    }

                    break;
            }
        }
    }
}
