using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Iam;
using static BatchOps.Sandbox.Hosting.JsonNames;
using BatchOps.Sandbox.Scheduler;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Deployment;

/// <summary>What a deployment created, and what it left out (resources the sandbox does not emulate).</summary>
/// <param name="ServiceTaskRoles">The task roles of the template's ECS services (the dashboard's), which the sandbox's dashboard credentials act as.</param>
public sealed record DeployResult(IReadOnlyDictionary<string, string> Created, IReadOnlyDictionary<string, string> NotEmulated, IReadOnlyList<string> ServiceTaskRoles);

/// <summary>
/// Deploys a synthesized CloudFormation template (the CDK app's output) into the sandbox: ECS clusters and
/// task definitions, state machines, schedule groups and schedules. Intrinsics (Ref, Fn::GetAtt, Fn::Join,
/// Fn::Sub, Fn::Select, Fn::Split, pseudo parameters) resolve to sandbox names and ARNs. IAM roles and their
/// identity-based policies (inline, AWS::IAM::Policy, AWS::IAM::ManagedPolicy) go to the sandbox's IAM, which
/// evaluates them for every call when enforcement is on.
/// </summary>
public sealed partial class TemplateDeployer(StepFunctionsSandbox stepFunctions, EcsSandbox ecs, SchedulerSandbox scheduler, SandboxAccount account, string stackName = "BatchOps", SandboxIam? iam = null)
{
    private static readonly HashSet<string> Emulated =
        ["AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::ECS::Cluster", "AWS::ECS::TaskDefinition", "AWS::StepFunctions::StateMachine", "AWS::Scheduler::ScheduleGroup", "AWS::Scheduler::Schedule"];

    private JsonObject _resources = [];

    public DeployResult Deploy(string templateJson)
    {
        var template = JsonNode.Parse(templateJson) as JsonObject ?? throw new InvalidDataException("The template is not a JSON object.");
        _resources = template["Resources"] as JsonObject ?? throw new InvalidDataException("The template has no Resources.");
        var created = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        DeployIam(created);
        foreach (var type in new[] { "AWS::ECS::Cluster", "AWS::ECS::TaskDefinition", "AWS::StepFunctions::StateMachine", "AWS::Scheduler::ScheduleGroup", "AWS::Scheduler::Schedule" })
        {
            foreach (var (id, resource) in _resources.Where(r => r.Value!["Type"]!.GetValue<string>() == type))
            {
                var properties = Resolve(resource!["Properties"]) as JsonObject ?? [];
                created[id] = type switch
                {
                    "AWS::ECS::Cluster" => CreateCluster(id, properties),
                    "AWS::ECS::TaskDefinition" => RegisterTaskDefinition(id, properties),
                    "AWS::StepFunctions::StateMachine" => CreateStateMachine(id, properties),
                    "AWS::Scheduler::ScheduleGroup" => scheduler.CreateScheduleGroup(new() { Name = Name(id, properties, "Name") }).ScheduleGroupArn,
                    _ => CreateSchedule(id, properties),
                };
            }
        }

        foreach (var (id, resource) in _resources.Where(r => !Emulated.Contains(r.Value!["Type"]!.GetValue<string>())))
        {
            skipped[id] = resource!["Type"]!.GetValue<string>();
        }

        // The dashboard runs as an ECS service: its task role is what the sandbox's dashboard credentials act as.
        var serviceRoles = _resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ECS::Service")
            .Select(r => (Resolve(r.Value!["Properties"]) as JsonObject)?["TaskDefinition"]?.GetValue<string>())
            .Select(arn => ecs.FindDefinition(arn)?.TaskRoleArn)
            .OfType<string>()
            .ToList();
        return new DeployResult(created, skipped, serviceRoles);
    }

    /// <summary>Roles with their inline policies, then the policies attached to roles by name.</summary>
    private void DeployIam(Dictionary<string, string> created)
    {
        foreach (var (id, resource) in _resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Role"))
        {
            var properties = Resolve(resource!["Properties"]) as JsonObject ?? [];
            var arn = GetAtt(id, "Arn");
            iam?.PutRole(arn);
            foreach (var policy in properties["Policies"] as JsonArray ?? [])
            {
                var name = policy?["PolicyName"]?.GetValue<string>() ?? id;
                iam?.PutRolePolicy(arn, PolicyDocument.Parse($"{id}/{name}", policy?["PolicyDocument"]));
            }

            created[id] = arn;
        }

        foreach (var (id, resource) in _resources.Where(r => r.Value!["Type"]!.GetValue<string>() is "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy"))
        {
            var properties = Resolve(resource!["Properties"]) as JsonObject ?? [];
            var document = PolicyDocument.Parse(id, properties["PolicyDocument"]);
            foreach (var role in properties["Roles"] as JsonArray ?? [])
            {
                iam?.PutRolePolicy($"arn:aws:iam::{account.Id}:role/{Text(role)}", document);
            }

            created[id] = properties["PolicyName"]?.GetValue<string>() ?? id;
        }
    }

    private string CreateCluster(string id, JsonObject p) => ecs.CreateCluster(new() { ClusterName = Name(id, p, "ClusterName") }).Cluster!.ClusterArn!;

    private string RegisterTaskDefinition(string id, JsonObject p)
    {
        var request = Camel(p).Deserialize<RegisterTaskDefinitionRequest>(AwsJson.Options)! with { Family = Name(id, p, "Family") };
        return ecs.RegisterTaskDefinition(request).TaskDefinition!.TaskDefinitionArn!;
    }

    private string CreateStateMachine(string id, JsonObject p)
    {
        var definition = p["DefinitionString"]?.GetValue<string>() ?? p["Definition"]?.ToJsonString() ?? throw new InvalidDataException($"{id} has no definition.");
        if (p["DefinitionSubstitutions"] is JsonObject substitutions)
        {
            foreach (var (key, value) in substitutions)
            {
                definition = definition.Replace("${" + key + "}", value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString(), StringComparison.Ordinal);
            }
        }

        return stepFunctions.CreateStateMachine(new()
        {
            Name = Name(id, p, "StateMachineName"),
            Definition = definition,
            RoleArn = p["RoleArn"]?.GetValue<string>() ?? $"arn:aws:iam::{account.Id}:role/{id}",
            Type = p["StateMachineType"]?.GetValue<string>(),
            // CloudFormation's {Key, Value} tags become Step Functions' {key, value}.
            Tags = p["Tags"] is JsonArray tags
                ? [.. tags.OfType<JsonObject>().Select(t => new Aws.StepFunctions.Tag { Key = t["Key"]?.GetValue<string>(), Value = t["Value"]?.GetValue<string>() })]
                : null,
        }).StateMachineArn;
    }

    private string CreateSchedule(string id, JsonObject p)
    {
        // Scheduler's wire names are PascalCase already, like CloudFormation's.
        var request = p.Deserialize<Aws.Scheduler.CreateScheduleRequest>(AwsJson.Options)! with { Name = Name(id, p, "Name") };
        return scheduler.CreateSchedule(request).ScheduleArn;
    }

    /// <summary>The resource's physical name: its name property, or a CloudFormation-style generated one.</summary>
    private string Name(string id, JsonObject? properties, string property) =>
        properties?[property]?.GetValue<string>() ?? $"{stackName}-{id}"[..Math.Min(64, stackName.Length + 1 + id.Length)];

    private JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o when o.Count == 1 && o.First().Key is "Ref" or "Fn::GetAtt" or "Fn::Join" or "Fn::Sub" or "Fn::Select" or "Fn::Split":
                var (fn, arg) = (o.First().Key, o.First().Value);
                return fn switch
                {
                    "Ref" => JsonValue.Create(Ref(arg!.GetValue<string>())),
                    "Fn::GetAtt" => JsonValue.Create(GetAtt(arg is JsonArray a ? a[0]!.GetValue<string>() : arg!.GetValue<string>().Split('.')[0], arg is JsonArray b ? b[1]!.GetValue<string>() : arg!.GetValue<string>().Split('.', 2)[1])),
                    "Fn::Join" => JsonValue.Create(string.Join(arg![0]!.GetValue<string>(), ((JsonArray)Resolve(arg[1])!).Select(Text))),
                    "Fn::Sub" => JsonValue.Create(Sub(arg!)),
                    "Fn::Select" => ((JsonArray)Resolve(arg![1])!)[int.Parse(Text(Resolve(arg[0])), CultureInfo.InvariantCulture)]?.DeepClone(),
                    _ => new JsonArray([.. Text(Resolve(arg![1])).Split(arg[0]!.GetValue<string>()).Select(s => (JsonNode)JsonValue.Create(s))]),
                };
            case JsonObject o:
                return new JsonObject(o.Select(p => System.Collections.Generic.KeyValuePair.Create(p.Key, Resolve(p.Value))));
            case JsonArray a:
                return new JsonArray([.. a.Select(Resolve)]);
            default:
                return node?.DeepClone();
        }
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? string.Empty;

    private string Sub(JsonNode arg)
    {
        var (text, variables) = arg is JsonArray a ? (a[0]!.GetValue<string>(), Resolve(a[1]) as JsonObject) : (arg.GetValue<string>(), null);
        return SubPattern().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (name.StartsWith('!'))
            {
                return "${" + name[1..] + "}";
            }

            if (variables?[name] is { } value)
            {
                return Text(value);
            }

            return name.Contains('.', StringComparison.Ordinal) ? GetAtt(name.Split('.')[0], name.Split('.', 2)[1]) : Ref(name);
        });
    }

    private string Ref(string name) => name switch
    {
        "AWS::Region" => account.Region,
        "AWS::AccountId" => account.Id,
        "AWS::Partition" => "aws",
        "AWS::URLSuffix" => "amazonaws.com",
        "AWS::StackName" => stackName,
        "AWS::NoValue" => string.Empty,
        _ => RefResource(name),
    };

    /// <summary>What Ref returns per resource type (name or ARN), as CloudFormation documents it.</summary>
    private string RefResource(string id)
    {
        var resource = _resources[id] as JsonObject ?? throw new InvalidDataException($"Ref to unknown resource or parameter '{id}'.");
        var properties = resource["Properties"] as JsonObject;
        return resource["Type"]!.GetValue<string>() switch
        {
            "AWS::ECS::Cluster" => Name(id, properties, "ClusterName"),
            "AWS::ECS::TaskDefinition" => $"arn:aws:ecs:{account.Region}:{account.Id}:task-definition/{Name(id, properties, "Family")}:1",
            "AWS::StepFunctions::StateMachine" => $"arn:aws:states:{account.Region}:{account.Id}:stateMachine:{Name(id, properties, "StateMachineName")}",
            "AWS::Scheduler::ScheduleGroup" => Name(id, properties, "Name"),
            "AWS::Scheduler::Schedule" => Name(id, properties, "Name"),
            "AWS::IAM::Role" => Name(id, properties, "RoleName"),
            "AWS::ECR::Repository" => Name(id, properties, "RepositoryName"),
            "AWS::SNS::Topic" => $"arn:aws:sns:{account.Region}:{account.Id}:{Name(id, properties, "TopicName")}",
            _ => $"{stackName}-{id}",
        };
    }

    private string GetAtt(string id, string attribute)
    {
        var resource = _resources[id] as JsonObject ?? throw new InvalidDataException($"Fn::GetAtt of unknown resource '{id}'.");
        var type = resource["Type"]!.GetValue<string>();
        return (type, attribute) switch
        {
            ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{account.Id}:role/{RefResource(id)}",
            ("AWS::ECS::Cluster", "Arn") => $"arn:aws:ecs:{account.Region}:{account.Id}:cluster/{RefResource(id)}",
            ("AWS::StepFunctions::StateMachine", "Arn") => RefResource(id),
            ("AWS::StepFunctions::StateMachine", "Name") => RefResource(id).Split(':')[^1],
            ("AWS::Scheduler::ScheduleGroup", "Arn") => $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule-group/{RefResource(id)}",
            ("AWS::Scheduler::Schedule", "Arn") => $"arn:aws:scheduler:{account.Region}:{account.Id}:schedule/default/{RefResource(id)}",
            ("AWS::SQS::Queue", "Arn") => $"arn:aws:sqs:{account.Region}:{account.Id}:{stackName}-{id}",
            ("AWS::SNS::Topic", "TopicArn") => $"arn:aws:sns:{account.Region}:{account.Id}:{stackName}-{id}",
            ("AWS::Logs::LogGroup", "Arn") => $"arn:aws:logs:{account.Region}:{account.Id}:log-group:{stackName}-{id}:*",
            _ => $"arn:aws:{type.Split("::")[1].ToLowerInvariant()}:{account.Region}:{account.Id}:{stackName}-{id}",
        };
    }

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubPattern();
}
