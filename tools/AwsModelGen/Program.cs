using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BatchOps.AwsModelGen;

// Generates the typed AWS clients' shapes from the official service models, the same way the AWS SDKs
// are generated. Usage: dotnet run --project tools/AwsModelGen [-- --check]
// --check exits 1 when a generated file differs from what is committed (used by CI and tests).
var check = args.Contains("--check");
var root = FindRepositoryRoot();
var shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "aws"));
if (!Directory.Exists(shared))
{
    Console.Error.WriteLine($"error: the shared AWS test data is missing at {shared}");
    return 2;
}

var outputs = Generation.Outputs(root, shared);

var stale = 0;
foreach (var (path, content) in outputs)
{
    var current = File.Exists(path) ? File.ReadAllText(path) : null;
    if (current == content)
    {
        continue;
    }

    if (check)
    {
        Console.Error.WriteLine($"stale: {Path.GetRelativePath(root, path)}");
        stale++;
    }
    else
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
    }
}

if (stale > 0)
{
    Console.Error.WriteLine("Generated code is stale: run `dotnet run --project tools/AwsModelGen`.");
    return 1;
}

Console.WriteLine(check ? "generated code is up to date" : "done");
return 0;

static string FindRepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BatchOps.slnx")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Cannot find BatchOps.slnx above the tool's directory.");
}

/// <summary>What to generate for one AWS service.</summary>
internal sealed record ServiceSpec(
    string ModelName,
    string Namespace,
    string ServiceName,
    string Interface,
    string Client,
    string BaseException,
    string OutputFile,
    IReadOnlyList<string> Operations,
    IReadOnlyDictionary<string, string> Renames,
    IReadOnlyDictionary<string, string> RetrySafety);

internal static class ServiceSpecs
{
    // Writes that are safe to repeat because a task token, or the resource's own identity, makes them idempotent.
    private const string Always = "static _ => true";

    public static readonly ServiceSpec[] All =
    [
        new("stepfunctions", "BatchOps.Aws.StepFunctions", "StepFunctions", "IAmazonStepFunctions", "StepFunctionsClient",
            "AmazonStepFunctionsException", "src/Aws/StepFunctions/StepFunctions.g.cs",
            ["ListStateMachines", "DescribeStateMachine", "DescribeStateMachineForExecution", "ListExecutions",
             "DescribeExecution", "GetExecutionHistory", "StartExecution", "StopExecution", "RedriveExecution",
             "SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat", "CreateStateMachine", "DeleteStateMachine",
             "ListTagsForResource", "UpdateStateMachine", "TagResource", "UntagResource"],
            new Dictionary<string, string>(),
            new Dictionary<string, string>
            {
                // A named execution is idempotent: the same name and input returns the same execution.
                ["StartExecution"] = "static r => r.Name is not null",
                ["SendTaskSuccess"] = Always,
                ["SendTaskFailure"] = Always,
                ["SendTaskHeartbeat"] = Always,
            }),
        new("ecs", "BatchOps.Aws.Ecs", "Ecs", "IAmazonECS", "EcsClient", "AmazonECSException", "src/Aws/Ecs/Ecs.g.cs",
            ["RunTask", "DescribeTasks", "ListTasks", "StopTask", "DescribeTaskDefinition", "ListClusters",
             "DescribeClusters", "RegisterTaskDefinition", "CreateCluster", "ListTaskDefinitions",
             "ListTaskDefinitionFamilies", "DeregisterTaskDefinition", "ListContainerInstances", "DescribeContainerInstances",
             "ListServices", "TagResource", "UntagResource", "ListTagsForResource"],
            new Dictionary<string, string> { ["Task"] = "EcsTask", ["Attribute"] = "EcsAttribute" },
            new Dictionary<string, string>
            {
                // Stopping a task that is already stopping or stopped changes nothing.
                ["StopTask"] = Always,
            }),
        new("scheduler", "BatchOps.Aws.Scheduler", "Scheduler", "IAmazonScheduler", "SchedulerClient",
            "AmazonSchedulerException", "src/Aws/Scheduler/Scheduler.g.cs",
            ["ListSchedules", "GetSchedule", "CreateSchedule", "UpdateSchedule", "DeleteSchedule",
             "ListScheduleGroups", "CreateScheduleGroup", "GetScheduleGroup", "ListTagsForResource", "TagResource"],
            new Dictionary<string, string>(),
            new Dictionary<string, string>()),
    ];
}

internal static class ServiceGenerator
{

    public static string Generate(ServiceSpec spec, string shared)
    {
        var modelPath = Path.Combine(shared, "models", spec.ModelName + ".service-2.json");
        var doc = JsonNode.Parse(File.ReadAllText(modelPath))!.AsObject();
        var metadata = doc["metadata"]!.AsObject();
        var operations = doc["operations"]!.AsObject();
        var model = new ShapeModel(doc["shapes"]!.AsObject());
        var restJson = (string)metadata["protocol"]! == "rest-json";

        var names = new Dictionary<string, string>(spec.Renames);
        var ops = spec.Operations.Select(o => (Op: o, Node: operations[o]?.AsObject() ?? throw new InvalidOperationException($"{spec.ModelName} has no operation {o}"))).ToList();
        OperationEmitter.AddOperationTypeNames(names, ops);
        var types = new TypeEmitter(model, names);
        var emitter = new OperationEmitter(types, restJson);

        var roots = ops.SelectMany(o => new[] { (string?)o.Node["input"]?["shape"], (string?)o.Node["output"]?["shape"] })
            .Concat(ops.SelectMany(o => ((JsonArray?)o.Node["errors"])?.Select(e => (string?)e!["shape"]) ?? []))
            .OfType<string>();
        var closure = model.Closure(roots);
        var errorShapes = closure.Where(model.IsException).OrderBy(s => s, StringComparer.Ordinal).ToList();

        var paginators = JsonNode.Parse(File.ReadAllText(Path.Combine(shared, "models", spec.ModelName + ".paginators-1.json")))!["pagination"]!.AsObject();

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"// <auto-generated>\n// Generated by tools/AwsModelGen from ../shared/aws/models/{spec.ModelName}.service-2.json. Do not edit: change the generator and rerun it.\n// </auto-generated>\n#nullable enable\n");
        sb.Append("using System.Runtime.CompilerServices;\nusing System.Text.Json.Serialization;\nusing BatchOps.Aws.Runtime;\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"namespace {spec.Namespace};\n\n");

        // Interface and client.
        sb.Append(CultureInfo.InvariantCulture, $"/// <summary>{(string)metadata["serviceFullName"]!} ({(string)metadata["protocol"]!}, API {(string)metadata["apiVersion"]!}): the operations BatchOps uses.</summary>\n");
        sb.Append(CultureInfo.InvariantCulture, $"public interface {spec.Interface}\n{{\n");
        foreach (var (op, _) in ops)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    Task<{op}Response> {op}Async({op}Request request, CancellationToken cancellationToken = default);\n\n");
        }

        TypeEmitter.TrimBlankLine(sb);
        sb.Append("}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"/// <summary>Signed, retried and rate-limited client over <see cref=\"AwsServiceRuntime\"/>.</summary>\n");
        sb.Append(CultureInfo.InvariantCulture, $"public sealed class {spec.Client}(AwsServiceRuntime runtime) : {spec.Interface}\n{{\n");
        foreach (var (op, _) in ops)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    public Task<{op}Response> {op}Async({op}Request request, CancellationToken cancellationToken = default) =>\n");
            sb.Append(CultureInfo.InvariantCulture, $"        runtime.InvokeAsync({spec.ServiceName}Operations.{op}, request, cancellationToken);\n\n");
        }

        TypeEmitter.TrimBlankLine(sb);
        sb.Append("}\n\n");

        // Service description and error factory.
        sb.Append(CultureInfo.InvariantCulture, $"/// <summary>Wire facts about the service, from the model's metadata.</summary>\npublic static class {spec.ServiceName}Service\n{{\n");
        sb.Append("    public static readonly AwsServiceDescription Description = new()\n    {\n");
        sb.Append(CultureInfo.InvariantCulture, $"        ServiceId = \"{(string)metadata["serviceId"]!}\",\n");
        sb.Append(CultureInfo.InvariantCulture, $"        EndpointPrefix = \"{(string)metadata["endpointPrefix"]!}\",\n");
        sb.Append(CultureInfo.InvariantCulture, $"        SigningName = \"{(string?)metadata["signingName"] ?? (string)metadata["endpointPrefix"]!}\",\n");
        sb.Append(CultureInfo.InvariantCulture, $"        Protocol = AwsProtocol.{(restJson ? "RestJson" : "Json")},\n");
        sb.Append(CultureInfo.InvariantCulture, $"        JsonVersion = \"{(string?)metadata["jsonVersion"] ?? "1.1"}\",\n");
        if ((string?)metadata["targetPrefix"] is { } target)
        {
            sb.Append(CultureInfo.InvariantCulture, $"        TargetPrefix = \"{target}\",\n");
        }

        sb.Append("        CreateException = CreateException,\n    };\n\n");
        sb.Append("    private static AwsServiceException CreateException(AwsErrorDetails details) => details.ErrorCode switch\n    {\n");
        foreach (var error in errorShapes)
        {
            var code = (string?)model.Shape(error)["error"]?["code"] ?? error;
            sb.Append(CultureInfo.InvariantCulture, $"        \"{code}\" => new {ExceptionName(error)}(details),\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"        _ => new {spec.BaseException}(details),\n    }};\n}}\n\n");

        // Operation descriptors.
        sb.Append(CultureInfo.InvariantCulture, $"/// <summary>How each operation goes on the wire and whether it may be retried.</summary>\npublic static class {spec.ServiceName}Operations\n{{\n");
        foreach (var (op, node) in ops)
        {
            var safety = spec.RetrySafety.TryGetValue(op, out var explicitSafety)
                ? explicitSafety
                : op.StartsWith("List", StringComparison.Ordinal) || op.StartsWith("Describe", StringComparison.Ordinal) || op.StartsWith("Get", StringComparison.Ordinal)
                    || HasIdempotencyToken(model, node)
                    ? "static _ => true"
                    : "static _ => false";
            emitter.EmitDescriptor(sb, new OperationSpec(op, node, safety), "    ");
        }

        TypeEmitter.TrimBlankLine(sb);
        sb.Append("}\n\n");

        // Paginators.
        var paged = ops.Where(o => paginators.ContainsKey(o.Op)).ToList();
        if (paged.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"/// <summary>Pagination helpers for the operations in {spec.ModelName}.paginators-1.json that we call.</summary>\npublic static class {spec.ServiceName}Paginators\n{{\n");
            foreach (var (op, node) in paged)
            {
                var p = paginators[op]!.AsObject();
                var outputShape = (string)node["output"]!["shape"]!;
                var inputShape = (string)node["input"]!["shape"]!;
                var resultKey = (string)p["result_key"]!;
                var outToken = TypeEmitter.Identifier((string)p["output_token"]!);
                var inToken = TypeEmitter.Identifier((string)p["input_token"]!);
                var resultMember = types.Members(outputShape).Single(m => m.Name == resultKey);
                var itemType = types.ClrType((string)model.Shape((string)resultMember.Member["shape"]!)["member"]!["shape"]!);
                _ = inputShape;
                sb.Append(CultureInfo.InvariantCulture, $"    /// <summary>Every page of {op}, following <c>{(string)p["output_token"]!}</c>.</summary>\n");
                sb.Append(CultureInfo.InvariantCulture, $"    public static IAsyncEnumerable<{op}Response> {op}PagesAsync(this {spec.Interface} client, {op}Request request, CancellationToken cancellationToken = default) =>\n");
                sb.Append(CultureInfo.InvariantCulture, $"        AwsPagination.PagesAsync(request, client.{op}Async, static page => page.{outToken}, static (r, token) => r with {{ {inToken} = token }}, cancellationToken);\n\n");
                sb.Append(CultureInfo.InvariantCulture, $"    /// <summary>Every item of <c>{resultKey}</c> across all pages of {op}.</summary>\n");
                sb.Append(CultureInfo.InvariantCulture, $"    public static IAsyncEnumerable<{itemType}> {op}ItemsAsync(this {spec.Interface} client, {op}Request request, CancellationToken cancellationToken = default) =>\n");
                sb.Append(CultureInfo.InvariantCulture, $"        AwsPagination.ItemsAsync(client.{op}PagesAsync(request, cancellationToken), static page => page.{resultMember.Property});\n\n");
            }

            TypeEmitter.TrimBlankLine(sb);
            sb.Append("}\n\n");
        }

        // Exceptions.
        sb.Append(CultureInfo.InvariantCulture, $"/// <summary>An error returned by {(string)metadata["serviceFullName"]!}.</summary>\n");
        sb.Append(CultureInfo.InvariantCulture, $"public class {spec.BaseException}(AwsErrorDetails details) : AwsServiceException(details);\n\n");
        foreach (var error in errorShapes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"public sealed class {ExceptionName(error)}(AwsErrorDetails details) : {spec.BaseException}(details);\n\n");
        }

        // Records and enums.
        foreach (var (op, node) in ops)
        {
            OperationEmitter.EmitMissingIoRecords(sb, op, node, string.Empty);
        }

        foreach (var shape in closure.Where(s => !model.IsException(s)))
        {
            var s = model.Shape(shape);
            if ((string)s["type"]! == "structure")
            {
                types.EmitRecord(sb, shape);
            }
            else if ((string)s["type"]! == "string" && s["enum"] is not null)
            {
                types.EmitEnum(sb, shape);
            }
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    public static string ExceptionName(string shape) => shape.EndsWith("Exception", StringComparison.Ordinal) ? shape : shape + "Exception";

    private static bool HasIdempotencyToken(ShapeModel model, JsonObject op) =>
        (string?)op["input"]?["shape"] is { } input
        && ((JsonObject)model.Shape(input)["members"]!).Any(m => m.Value!["idempotencyToken"]?.GetValue<bool>() == true);
}
