using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Iam;

/// <summary>
/// What IAM checks for each call the sandbox serves and each service integration a workflow makes: the action, the
/// resource ARN (or "*" where the action has no resource-level permissions, as the Service Authorization Reference
/// lists them), the condition keys the request carries, and the iam:PassRole checks of calls that hand a role on.
/// </summary>
public sealed class SandboxPermissions(SandboxAccount account, EcsSandbox ecs, TaskTokens tokens)
{
    private const string EcsTasksService = "ecs-tasks.amazonaws.com";
    private const string Everything = "*";
    private static readonly string[] ManagedRuleActions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"];

    /// <summary>An awsJson1.0/1.1 or restJson1 operation's checks; <paramref name="body"/> is the request as sent (member names either case).</summary>
    public IReadOnlyList<AuthorizationRequest> ForApi(string service, string operation, JsonNode? body, IReadOnlyDictionary<string, string?>? path = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(operation);
        return service switch
        {
            "states" => StepFunctions(operation, body),
            "ecs" => Ecs(operation, body),
            "scheduler" => Scheduler(operation, body, path ?? new Dictionary<string, string?>()),
            _ => [new($"{service}:{operation}", Everything)],
        };
    }

    private List<AuthorizationRequest> StepFunctions(string operation, JsonNode? body)
    {
        var action = "states:" + operation;
        switch (operation)
        {
            case "CreateStateMachine":
                var name = Text(body, "name") ?? string.Empty;
                return [new(action, $"arn:aws:states:{account.Region}:{account.Id}:stateMachine:{name}"), .. PassRole(Text(body, "roleArn"), "states.amazonaws.com")];
            case "UpdateStateMachine":
                return [new(action, Text(body, "stateMachineArn") ?? Everything), .. PassRole(Text(body, "roleArn"), "states.amazonaws.com")];
            case "DescribeStateMachine" or "DeleteStateMachine" or "ListExecutions" or "StartExecution" or "StartSyncExecution":
                return [new(action, Text(body, "stateMachineArn") ?? Everything)];
            case "DescribeExecution" or "DescribeStateMachineForExecution" or "GetExecutionHistory" or "StopExecution" or "RedriveExecution":
                return [new(action, Text(body, "executionArn") ?? Everything)];
            case "ListTagsForResource" or "TagResource" or "UntagResource":
                return [new(action, Text(body, "resourceArn") ?? Everything)];
            case "SendTaskSuccess" or "SendTaskFailure" or "SendTaskHeartbeat":
                // Authorized on the state machine whose task issued the token (CDK's grantTaskResponse grants on it).
                // An unknown token is not checked here: the call fails with TaskDoesNotExist either way.
                return tokens.StateMachineOf(Text(body, "taskToken") ?? string.Empty) is { } machine ? [new(action, machine)] : [];
            default:
                return [new(action, Everything)];
        }
    }

    private List<AuthorizationRequest> Ecs(string operation, JsonNode? body)
    {
        var action = "ecs:" + operation;
        var cluster = ecs.ClusterArnOf(Text(body, "cluster"));
        var onCluster = new Dictionary<string, string> { ["ecs:cluster"] = cluster };
        switch (operation)
        {
            case "RunTask":
                return RunTask(body, cluster, sync: false);
            case "DescribeTasks":
                return [.. Strings(body, "tasks").Select(t => new AuthorizationRequest(action, ecs.TaskArnOf(Text(body, "cluster"), t), onCluster))];
            case "StopTask":
                return [new(action, ecs.TaskArnOf(Text(body, "cluster"), Text(body, "task") ?? string.Empty), onCluster)];
            case "ListTasks" or "ListServices" or "ListContainerInstances" or "DescribeContainerInstances":
                return [new(action, Everything, onCluster)];
            case "DescribeClusters":
                var clusters = Strings(body, "clusters");
                return [.. (clusters.Count == 0 ? ["default"] : clusters).Select(c => new AuthorizationRequest(action, ecs.ClusterArnOf(c)))];
            case "RegisterTaskDefinition":
                return [new(action, Everything), .. PassRole(Text(body, "taskRoleArn"), EcsTasksService), .. PassRole(Text(body, "executionRoleArn"), EcsTasksService)];
            case "ListTagsForResource" or "TagResource" or "UntagResource":
                return [new(action, Text(body, "resourceArn") ?? Everything)];
            default:
                // ListClusters, DescribeTaskDefinition, ListTaskDefinitions, ...: no resource-level permissions.
                return [new(action, Everything)];
        }
    }

    private List<AuthorizationRequest> Scheduler(string operation, JsonNode? body, IReadOnlyDictionary<string, string?> path)
    {
        var action = "scheduler:" + operation;
        var name = path.GetValueOrDefault("name") ?? string.Empty;
        var group = path.GetValueOrDefault("groupName") ?? Text(body, "GroupName") ?? "default";
        var schedule = $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule/{group}/{name}";
        var scheduleGroup = $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule-group/{name}";
        return operation switch
        {
            "CreateSchedule" or "UpdateSchedule" => [new(action, schedule), .. PassRole(Text(body?["Target"], "RoleArn"), "scheduler.amazonaws.com")],
            "GetSchedule" or "DeleteSchedule" => [new(action, schedule)],
            "CreateScheduleGroup" when body?["Tags"] is JsonArray { Count: > 0 } => [new(action, scheduleGroup), new("scheduler:TagResource", scheduleGroup)],
            "CreateScheduleGroup" => [new(action, scheduleGroup)],
            "GetScheduleGroup" or "DeleteScheduleGroup" => [new(action, scheduleGroup)],
            "ListTagsForResource" or "TagResource" or "UntagResource" => [new(action, path.GetValueOrDefault("arn") ?? Everything)],
            _ => [new(action, Everything)],
        };
    }

    /// <summary>ecs:RunTask on the task definition in the cluster, and passing its task and execution roles to ECS tasks.</summary>
    private List<AuthorizationRequest> RunTask(JsonNode? request, string cluster, bool sync)
    {
        var reference = Text(request, "taskDefinition");
        var definition = ecs.FindDefinition(reference);
        var list = new List<AuthorizationRequest>
        {
            new("ecs:RunTask", definition?.TaskDefinitionArn ?? reference ?? Everything, new Dictionary<string, string> { ["ecs:cluster"] = cluster }),
        };
        var overrides = request?["overrides"] ?? request?["Overrides"];
        list.AddRange(PassRole(Text(overrides, "taskRoleArn") ?? definition?.TaskRoleArn, EcsTasksService));
        list.AddRange(PassRole(Text(overrides, "executionRoleArn") ?? definition?.ExecutionRoleArn, EcsTasksService));
        if (sync)
        {
            list.AddRange(ManagedRule("StepFunctionsGetEventsForECSTaskRule"));
        }

        return list;
    }

    /// <summary>What a Task state's call needs before it is made (Step Functions calls as the state machine's role).</summary>
    public IReadOnlyList<AuthorizationRequest> ForIntegrationStart(TaskCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var sync = call.Pattern.StartsWith("sync", StringComparison.Ordinal);
        var p = call.Parameters;
        return (call.ResourceType, call.Action) switch
        {
            ("ecs", "runTask") => RunTask(p, ecs.ClusterArnOf(Text(p, "cluster")), sync),
            ("states", "startExecution") => [new("states:StartExecution", Text(p, "stateMachineArn") ?? Everything), .. sync ? ManagedRule("StepFunctionsGetEventsForStepFunctionsExecutionRule") : []],
            ("sns", "publish") => [new("sns:Publish", Text(p, "topicArn") ?? Text(p, "targetArn") ?? Text(p, "phoneNumber") ?? Everything)],
            ("sqs", "sendMessage") => [new("sqs:SendMessage", QueueArn(Text(p, "queueUrl")))],
            ("lambda", "invoke") => [new("lambda:InvokeFunction", FunctionArn(Text(p, "functionName") ?? call.ResourceArn))],
            (var type, var a) when type.StartsWith("aws-sdk:", StringComparison.Ordinal) => [new($"{type["aws-sdk:".Length..]}:{char.ToUpperInvariant(a[0])}{a[1..]}", Everything)],
            (var type, var a) => [new($"{type}:{char.ToUpperInvariant(a[0])}{a[1..]}", Everything)],
        };
    }

    /// <summary>What following a .sync job needs (Step Functions polls it as the state machine's role).</summary>
    public IReadOnlyList<AuthorizationRequest> ForIntegrationWait(TaskCall call, JsonNode? started) => (call?.ResourceType, call?.Action) switch
    {
        ("ecs", "runTask") => [.. TaskArns(started).Select(t => new AuthorizationRequest("ecs:DescribeTasks", t, new Dictionary<string, string> { ["ecs:cluster"] = ecs.ClusterArnOf(Text(call!.Parameters, "cluster")) }))],
        ("states", "startExecution") when Text(started, "executionArn") is { } execution => [new("states:DescribeExecution", execution)],
        _ => [],
    };

    /// <summary>What stopping a started job needs (a timeout, or the execution stopped).</summary>
    public IReadOnlyList<AuthorizationRequest> ForIntegrationCancel(TaskCall call, JsonNode? started) => (call?.ResourceType, call?.Action) switch
    {
        ("ecs", "runTask") => [.. TaskArns(started).Select(t => new AuthorizationRequest("ecs:StopTask", t, new Dictionary<string, string> { ["ecs:cluster"] = ecs.ClusterArnOf(Text(call!.Parameters, "cluster")) }))],
        ("states", "startExecution") when Text(started, "executionArn") is { } execution => [new("states:StopExecution", execution)],
        _ => [],
    };

    /// <summary>
    /// The error a Task state fails with when its role may not make the call, as Step Functions reports the service's
    /// refusal: the service's error name after its prefix, and the SDK's message with the service and status.
    /// </summary>
    public static StatesException Refusal(TaskCall call, string message)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (message.Contains(":events:", StringComparison.Ordinal))
        {
            // Step Functions creates the managed rule itself; it reports its own refusal without a service prefix.
            return new StatesException(AslErrors.TaskFailed, $"'{call.Execution.RoleArn}' is not authorized to create managed-rule. {message}");
        }

        var (prefix, service) = call.ResourceType switch
        {
            "ecs" => ("ECS", "AmazonECS"),
            "states" => ("StepFunctions", "AWSStepFunctions"),
            "sns" => ("SNS", "Sns"),
            "sqs" => ("SQS", "Sqs"),
            "lambda" => ("Lambda", "AWSLambda"),
            var other => (other.Replace("aws-sdk:", string.Empty, StringComparison.Ordinal), other),
        };
        return new StatesException($"{prefix}.AccessDeniedException", $"{message} (Service: {service}; Status Code: 400; Error Code: AccessDeniedException; Request ID: {Guid.NewGuid()}; Proxy: null)");
    }

    private IEnumerable<AuthorizationRequest> ManagedRule(string rule) =>
        ManagedRuleActions.Select(a => new AuthorizationRequest(a, $"arn:aws:events:{account.Region}:{account.Id}:rule/{rule}"));

    private static IEnumerable<AuthorizationRequest> PassRole(string? roleArn, string service) =>
        roleArn is null ? [] : [new AuthorizationRequest("iam:PassRole", roleArn, new Dictionary<string, string> { ["iam:PassedToService"] = service })];

    private string QueueArn(string? url)
    {
        // https://sqs.us-east-1.amazonaws.com/000000000000/name -> arn:aws:sqs:us-east-1:000000000000:name
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Segments.Length < 3)
        {
            return url ?? Everything;
        }

        return $"arn:aws:sqs:{account.Region}:{uri.Segments[1].TrimEnd('/')}:{uri.Segments[2].TrimEnd('/')}";
    }

    private string FunctionArn(string name) =>
        name.StartsWith("arn:", StringComparison.Ordinal) ? name : $"arn:aws:lambda:{account.Region}:{account.Id}:function:{name}";

    private static IEnumerable<string> TaskArns(JsonNode? started) =>
        (started?["Tasks"] ?? started?["tasks"]) is JsonArray tasks ? tasks.Select(t => Text(t, "taskArn")).OfType<string>() : [];

    /// <summary>A member by name, in the API's camelCase or the integrations' PascalCase.</summary>
    private static string? Text(JsonNode? node, string name)
    {
        if (node is not JsonObject o)
        {
            return null;
        }

        var value = o[name] ?? o[char.ToUpperInvariant(name[0]) + name[1..]] ?? o[char.ToLowerInvariant(name[0]) + name[1..]];
        return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    private static List<string> Strings(JsonNode? node, string name) =>
        node is JsonObject o && (o[name] ?? o[char.ToUpperInvariant(name[0]) + name[1..]]) is JsonArray a
            ? [.. a.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>())]
            : [];
}
