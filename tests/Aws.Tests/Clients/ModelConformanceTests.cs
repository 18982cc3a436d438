using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Scheduler;
using BatchOps.Aws.StepFunctions;
using BatchOps.Aws.Tests.Support;

namespace BatchOps.Aws.Tests.Clients;

/// <summary>
/// Our request and response types against the official service models: every member exists in the model with
/// a matching type and wire name, and every member the model requires is present (and required in C#).
/// </summary>
public sealed class ModelConformanceTests
{
    public static TheoryData<string, string> Operations()
    {
        var data = new TheoryData<string, string>();
        foreach (var (model, iface) in Clients)
        {
            foreach (var method in iface.GetMethods())
            {
                data.Add(model, method.Name[..^"Async".Length]);
            }
        }

        return data;
    }

    private static readonly (string Model, Type Interface)[] Clients =
    [
        ("stepfunctions", typeof(IAmazonStepFunctions)),
        ("ecs", typeof(IAmazonECS)),
        ("scheduler", typeof(IAmazonScheduler)),
    ];

    [Fact]
    public void Clients_expose_exactly_the_operations_the_issue_lists()
    {
        Assert.Equal(
            ["CreateStateMachine", "DeleteStateMachine", "DescribeExecution", "DescribeStateMachine", "DescribeStateMachineForExecution", "GetExecutionHistory", "ListExecutions", "ListStateMachines", "ListTagsForResource", "RedriveExecution", "SendTaskFailure", "SendTaskHeartbeat", "SendTaskSuccess", "StartExecution", "StopExecution", "TagResource", "UntagResource", "UpdateStateMachine"],
            OperationNames(typeof(IAmazonStepFunctions)));
        Assert.Equal(
            ["CreateCluster", "DeregisterTaskDefinition", "DescribeClusters", "DescribeContainerInstances", "DescribeTaskDefinition", "DescribeTasks", "ListClusters", "ListContainerInstances", "ListServices", "ListTagsForResource", "ListTaskDefinitionFamilies", "ListTaskDefinitions", "ListTasks", "RegisterTaskDefinition", "RunTask", "StopTask", "TagResource", "UntagResource"],
            OperationNames(typeof(IAmazonECS)));
        Assert.Equal(
            ["CreateSchedule", "CreateScheduleGroup", "DeleteSchedule", "GetSchedule", "GetScheduleGroup", "ListScheduleGroups", "ListSchedules", "ListTagsForResource", "TagResource", "UpdateSchedule"],
            OperationNames(typeof(IAmazonScheduler)));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Request_and_response_members_match_the_model(string modelName, string operation)
    {
        var model = JsonNode.Parse(File.ReadAllText(SharedData.Path_("models", modelName + ".service-2.json")))!;
        var op = model["operations"]![operation] ?? throw new Xunit.Sdk.XunitException($"{operation} is not in {modelName}");
        var iface = Clients.Single(c => c.Model == modelName).Interface;
        var method = iface.GetMethod(operation + "Async")!;
        var requestType = method.GetParameters()[0].ParameterType;
        var responseType = method.ReturnType.GetGenericArguments()[0];
        var shapes = model["shapes"]!.AsObject();

        var failures = new List<string>();
        if ((string?)op["input"]?["shape"] is { } input)
        {
            CheckStructure(requestType, input, shapes, failures, new HashSet<Type>());
        }

        if ((string?)op["output"]?["shape"] is { } output)
        {
            CheckStructure(responseType, output, shapes, failures, new HashSet<Type>());
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void CheckStructure(Type type, string shapeName, JsonObject shapes, List<string> failures, HashSet<Type> seen)
    {
        if (!seen.Add(type))
        {
            return;
        }

        var shape = shapes[shapeName]!.AsObject();
        var members = shape["members"]!.AsObject();
        var required = shape["required"]?.AsArray().Select(n => (string)n!).ToHashSet() ?? [];
        var byProperty = members.ToDictionary(m => PropertyName(m.Key, type), m => (Name: m.Key, Member: m.Value!.AsObject()));

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.Name != "EqualityContract" && p.DeclaringType != typeof(AmazonWebServiceResponse)))
        {
            if (!byProperty.TryGetValue(property.Name, out var entry))
            {
                failures.Add($"{type.Name}.{property.Name} is not a member of {shapeName}");
                continue;
            }

            var location = (string?)entry.Member["location"];
            var jsonName = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (location is null && jsonName != ((string?)entry.Member["locationName"] ?? entry.Name))
            {
                failures.Add($"{type.Name}.{property.Name} goes on the wire as '{jsonName}', the model says '{(string?)entry.Member["locationName"] ?? entry.Name}'");
            }

            if (location is not null && property.GetCustomAttribute<BatchOps.Aws.Runtime.AwsHttpBindingAttribute>() is null)
            {
                failures.Add($"{type.Name}.{property.Name} is bound to the {location} but would also be written to the body");
            }

            CheckType(property.PropertyType, (string)entry.Member["shape"]!, shapes, failures, seen, $"{type.Name}.{property.Name}");

            var isRequiredInCSharp = property.GetCustomAttribute<RequiredMemberAttribute>() is not null;
            var isToken = entry.Member["idempotencyToken"]?.GetValue<bool>() == true;
            if (required.Contains(entry.Name) && !isRequiredInCSharp && !isToken)
            {
                failures.Add($"{type.Name}.{property.Name} is required by the model but not in C#");
            }

            if (!required.Contains(entry.Name) && isRequiredInCSharp)
            {
                failures.Add($"{type.Name}.{property.Name} is required in C# but optional in the model");
            }
        }

        foreach (var name in required)
        {
            if (type.GetProperty(PropertyName(name, type)) is null)
            {
                failures.Add($"{type.Name} lacks {name}, which {shapeName} requires");
            }
        }
    }

    private static void CheckType(Type clr, string shapeName, JsonObject shapes, List<string> failures, HashSet<Type> seen, string where)
    {
        var shape = shapes[shapeName]!.AsObject();
        var type = Nullable.GetUnderlyingType(clr) ?? clr;
        var modelType = (string)shape["type"]!;
        var ok = modelType switch
        {
            "string" => type == typeof(string),
            "boolean" => type == typeof(bool),
            "integer" => type == typeof(int),
            "long" => type == typeof(long),
            "float" or "double" => type == typeof(double),
            "timestamp" => type == typeof(DateTimeOffset),
            "blob" => type == typeof(byte[]),
            "list" => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>),
            "map" => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string),
            "structure" => type.IsClass && type != typeof(string),
            _ => false,
        };
        if (!ok)
        {
            failures.Add($"{where} is {type.Name}, the model's {shapeName} is a {modelType}");
            return;
        }

        switch (modelType)
        {
            case "list":
                CheckType(type.GetGenericArguments()[0], (string)shape["member"]!["shape"]!, shapes, failures, seen, where + "[]");
                break;
            case "map":
                CheckType(type.GetGenericArguments()[1], (string)shape["value"]!["shape"]!, shapes, failures, seen, where + "{}");
                break;
            case "structure":
                CheckStructure(type, shapeName, shapes, failures, seen);
                break;
        }
    }

    private static string PropertyName(string member, Type declaring)
    {
        var name = BatchOps.AwsModelGen.TypeEmitter.Identifier(member);
        return name == declaring.Name ? name + "Value" : name;
    }

    private static List<string> OperationNames(Type iface) => iface.GetMethods().Select(m => m.Name[..^"Async".Length]).Order(StringComparer.Ordinal).ToList();
}
