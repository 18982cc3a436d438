using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Tests.Protocol.Generated;
using BatchOps.Aws.Tests.Support;
using BatchOps.AwsModelGen;

namespace BatchOps.Aws.Tests.Protocol;

/// <summary>One case of ../shared/aws/protocol-tests, with the generated types of its suite.</summary>
public sealed record ProtocolCase(string File, int Suite, string Id, JsonObject Case, JsonObject Shapes, Type SuiteType)
{
    public override string ToString() => $"{File}#{Suite} {Id}";

    public AwsServiceDescription Service => (AwsServiceDescription)SuiteType.GetField("Service")!.GetValue(null)!;

    public object Operation => SuiteType.GetField((string)Case["given"]!["name"]!)!.GetValue(null)!;

    public Type RequestType => SuiteType.Assembly.GetType($"{SuiteType.Namespace}.{(string)Case["given"]!["name"]!}Request", true)!;

    public Type ResponseType => SuiteType.Assembly.GetType($"{SuiteType.Namespace}.{(string)Case["given"]!["name"]!}Response", true)!;
}

/// <summary>Loads vectors, and converts between their "params" form and our generated records.</summary>
public static class ProtocolVectors
{
    private static readonly Dictionary<string, string> Namespaces = new()
    {
        ["input/json.json"] = "JsonInput",
        ["input/json_1_0.json"] = "Json10Input",
        ["input/rest-json.json"] = "RestJsonInput",
        ["output/json.json"] = "JsonOutput",
        ["output/json_1_0.json"] = "Json10Output",
        ["output/rest-json.json"] = "RestJsonOutput",
    };

    public static IEnumerable<ProtocolCase> Load(string file)
    {
        var suites = JsonNode.Parse(File.ReadAllText(SharedData.Path_("protocol-tests", file)))!.AsArray();
        var assembly = typeof(SkippedSuites).Assembly;
        for (var i = 0; i < suites.Count; i++)
        {
            var suite = suites[i]!.AsObject();
            foreach (var c in suite["cases"]!.AsArray())
            {
                var op = (string)c!["given"]!["name"]!;
                var type = assembly.GetType($"BatchOps.Aws.Tests.Protocol.Generated.{Namespaces[file]}.S{i:00}_{op}.Suite");
                if (type is null)
                {
                    continue; // listed in SkippedSuites with the reason
                }

                yield return new ProtocolCase(file, i, (string)c["id"]!, c.AsObject(), suite["shapes"]!.AsObject(), type);
            }
        }
    }

    /// <summary>Builds a generated record from a vector's params (member names, raw blobs, epoch timestamps).</summary>
    public static object? FromParams(JsonNode? node, string shapeName, JsonObject shapes, Type clrType)
    {
        if (node is null)
        {
            return null;
        }

        var shape = shapes[shapeName]!.AsObject();
        var target = Nullable.GetUnderlyingType(clrType) ?? clrType;
        switch ((string)shape["type"]!)
        {
            case "structure":
                var instance = Activator.CreateInstance(target)!;
                foreach (var (name, value) in node.AsObject())
                {
                    var member = shape["members"]![name]!.AsObject();
                    var property = PropertyFor(target, name);
                    property.SetValue(instance, FromParams(value, (string)member["shape"]!, shapes, property.PropertyType));
                }

                return instance;
            case "list":
                var list = (IList)Activator.CreateInstance(target)!;
                var elementType = target.GetGenericArguments()[0];
                foreach (var item in node.AsArray())
                {
                    list.Add(FromParams(item, (string)shape["member"]!["shape"]!, shapes, elementType));
                }

                return list;
            case "map":
                var map = (IDictionary)Activator.CreateInstance(target)!;
                var valueType = target.GetGenericArguments()[1];
                foreach (var (key, value) in node.AsObject())
                {
                    map[key] = FromParams(value, (string)shape["value"]!["shape"]!, shapes, valueType);
                }

                return map;
            case "blob":
                return Encoding.UTF8.GetBytes((string)node!);
            case "timestamp":
                return node.GetValueKind() == JsonValueKind.Number ? AwsTimestamp.FromEpochSeconds((double)node) : AwsTimestamp.Parse((string)node!);
            case "float" or "double":
                return node.GetValueKind() == JsonValueKind.String
                    ? (string)node! switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, var s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) }
                    : (double)node;
            case "integer":
                return (int)node;
            case "long":
                return (long)node;
            case "boolean":
                return (bool)node;
            default:
                return (string)node!;
        }
    }

    /// <summary>The inverse of <see cref="FromParams"/>: a record as a vector's "result" would write it.</summary>
    public static JsonNode? ToParams(object? value, string shapeName, JsonObject shapes)
    {
        if (value is null)
        {
            return null;
        }

        var shape = shapes[shapeName]!.AsObject();
        switch ((string)shape["type"]!)
        {
            case "structure":
                var obj = new JsonObject();
                foreach (var (name, member) in shape["members"]!.AsObject())
                {
                    var memberValue = PropertyFor(value.GetType(), name).GetValue(value);
                    if (memberValue is not null)
                    {
                        obj[name] = ToParams(memberValue, (string)member!["shape"]!, shapes);
                    }
                }

                return obj;
            case "list":
                return new JsonArray(((IEnumerable)value).Cast<object?>().Select(v => ToParams(v, (string)shape["member"]!["shape"]!, shapes)).ToArray());
            case "map":
                var map = new JsonObject();
                foreach (DictionaryEntry e in (IDictionary)value)
                {
                    map[(string)e.Key] = ToParams(e.Value, (string)shape["value"]!["shape"]!, shapes);
                }

                return map;
            case "blob":
                return JsonValue.Create(Encoding.UTF8.GetString((byte[])value));
            case "timestamp":
                return JsonValue.Create((double)AwsTimestamp.ToEpochSeconds((DateTimeOffset)value));
            case "float" or "double":
                var d = (double)value;
                return double.IsNaN(d) ? JsonValue.Create("NaN") : double.IsPositiveInfinity(d) ? JsonValue.Create("Infinity") : double.IsNegativeInfinity(d) ? JsonValue.Create("-Infinity") : JsonValue.Create(d);
            default:
                return JsonSerializer.SerializeToNode(value);
        }
    }

    private static PropertyInfo PropertyFor(Type type, string member)
    {
        var name = TypeEmitter.Identifier(member);
        return type.GetProperty(name) ?? type.GetProperty(name + "Value") ?? type.GetProperty(name.TrimStart('@'))
            ?? throw new InvalidOperationException($"{type.Name} has no property for member {member}.");
    }

    /// <summary>JSON equality that compares numbers by value and objects regardless of member order.</summary>
    public static bool JsonEquals(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return (a, b) switch
        {
            (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(p => y.ContainsKey(p.Key) && JsonEquals(p.Value, y[p.Key])),
            (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => JsonEquals(p.First, p.Second)),
            _ when a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number => Math.Abs((double)a - (double)b) < 1e-9 * Math.Max(1, Math.Abs((double)a)),
            _ => JsonNode.DeepEquals(a, b),
        };
    }
}
