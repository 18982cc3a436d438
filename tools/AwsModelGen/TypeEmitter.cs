using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOps.AwsModelGen;

/// <summary>How the wire carries a member: in the JSON body, or bound to the HTTP request (rest-json).</summary>
internal enum MemberLocation { Body, Uri, Query, Header, Headers, StatusCode }

/// <summary>Emits C# records for structures and constant classes for enums, from a <see cref="ShapeModel"/>.</summary>
internal sealed class TypeEmitter(ShapeModel model, IReadOnlyDictionary<string, string> typeNames)
{
    private static readonly HashSet<string> Keywords = ["string", "object", "int", "long", "bool", "double", "float", "class", "event", "base", "namespace", "operator", "params", "default", "checked", "fixed", "lock", "override", "readonly", "ref", "out", "in", "is", "as", "new", "null", "true", "false", "this", "typeof", "void", "using", "virtual", "volatile", "while", "switch", "case", "return", "public", "private", "protected", "internal", "static", "struct", "throw", "try", "catch", "finally", "for", "foreach", "goto", "if", "else", "do", "break", "continue", "const", "decimal", "char", "byte", "sbyte", "short", "ushort", "uint", "ulong", "delegate", "enum", "explicit", "implicit", "extern", "interface", "abstract", "sealed", "sizeof", "stackalloc", "unchecked", "unsafe"];

    public ShapeModel Model { get; } = model;

    public string TypeName(string shape) => typeNames.TryGetValue(shape, out var name) ? name : Identifier(shape);

    public static string Identifier(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        var upperNext = true;
        foreach (var c in raw)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(upperNext ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }

        if (sb.Length == 0 || char.IsDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        var id = sb.ToString();
        return Keywords.Contains(id) ? "@" + id : id;
    }

    /// <summary>The enum constant name: the value itself where it is a valid identifier, else sanitised.</summary>
    public static string EnumConstant(string value)
    {
        var sb = new StringBuilder();
        foreach (var c in value)
        {
            sb.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        if (sb.Length == 0 || char.IsDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    public string ClrType(string shape)
    {
        var s = Model.Shape(shape);
        return (string)s["type"]! switch
        {
            "string" => "string",
            "boolean" => "bool",
            "integer" => "int",
            "long" => "long",
            "float" or "double" => "double",
            "timestamp" => "DateTimeOffset",
            "blob" => "byte[]",
            "list" => $"List<{ClrType((string)s["member"]!["shape"]!)}>",
            "map" => $"Dictionary<string, {ClrType((string)s["value"]!["shape"]!)}>",
            "structure" => TypeName(shape),
            var other => throw new NotSupportedException($"Shape '{shape}' has unsupported type '{other}'."),
        };
    }

    public static bool IsValueType(string clr) => clr is "bool" or "int" or "long" or "double" or "DateTimeOffset";

    public static MemberLocation LocationOf(JsonObject member) => (string?)member["location"] switch
    {
        null => MemberLocation.Body,
        "uri" => MemberLocation.Uri,
        "querystring" => MemberLocation.Query,
        "header" => MemberLocation.Header,
        "headers" => MemberLocation.Headers,
        "statusCode" => MemberLocation.StatusCode,
        var other => throw new NotSupportedException($"Location '{other}' is not supported."),
    };

    /// <summary>The timestamp format the member uses on the wire, or null for the protocol default.</summary>
    public string? TimestampFormat(JsonObject member)
    {
        var shape = (string)member["shape"]!;
        if (Model.TypeOf(shape) != "timestamp")
        {
            return null;
        }

        return (string?)member["timestampFormat"] ?? (string?)Model.Shape(shape)["timestampFormat"];
    }

    public IEnumerable<(string Name, JsonObject Member, string Property, bool Required)> Members(string structure)
    {
        var shape = Model.Shape(structure);
        var required = ((JsonArray?)shape["required"])?.Select(n => (string)n!).ToHashSet() ?? [];
        var typeName = TypeName(structure);
        foreach (var (name, node) in (JsonObject)shape["members"]!)
        {
            var property = Identifier(name);
            if (property == typeName)
            {
                property += "Value";
            }

            yield return (name, (JsonObject)node!, property, required.Contains(name));
        }
    }

    public void EmitRecord(StringBuilder sb, string structure, string indent = "")
    {
        var typeName = TypeName(structure);
        // Operation outputs carry the request id and status, as the SDK's responses do.
        var baseType = typeName.EndsWith("Response", StringComparison.Ordinal) ? " : AmazonWebServiceResponse" : "";
        sb.Append(CultureInfo.InvariantCulture, $"{indent}public sealed record {typeName}{baseType}\n{indent}{{\n");
        foreach (var (name, member, property, required) in Members(structure))
        {
            var shape = (string)member["shape"]!;
            var clr = ClrType(shape);
            var location = LocationOf(member);
            if (location == MemberLocation.Body)
            {
                var wire = (string?)member["locationName"] ?? name;
                sb.Append(CultureInfo.InvariantCulture, $"{indent}    [JsonPropertyName(\"{wire}\")]\n");
                var format = TimestampFormat(member);
                if (format is "iso8601")
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{indent}    [JsonConverter(typeof(Iso8601TimestampConverter))]\n");
                }
                else if (format is "rfc822")
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{indent}    [JsonConverter(typeof(HttpDateTimestampConverter))]\n");
                }
            }
            else
            {
                // Bound to the URI, query string or headers by the generated binder, never in the body.
                sb.Append(CultureInfo.InvariantCulture, $"{indent}    [AwsHttpBinding]\n");
            }

            var isToken = member["idempotencyToken"]?.GetValue<bool>() == true;
            if (isToken)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{indent}    [AwsIdempotencyToken]\n");
            }

            // Idempotency tokens are filled in by the client when absent, so callers never have to set them.
            var isRequired = required && !isToken;
            var declaration = isRequired
                ? $"{indent}    public required {clr} {property} {{ get; init; }}\n\n"
                : $"{indent}    public {clr}? {property} {{ get; init; }}\n\n";
            sb.Append(declaration);
        }

        TrimBlankLine(sb);
        sb.Append(CultureInfo.InvariantCulture, $"{indent}}}\n\n");
    }

    public void EmitEnum(StringBuilder sb, string shape, string indent = "")
    {
        var values = (JsonArray)Model.Shape(shape)["enum"]!;
        sb.Append(CultureInfo.InvariantCulture, $"{indent}/// <summary>Values of the service model's <c>{shape}</c> enum.</summary>\n");
        sb.Append(CultureInfo.InvariantCulture, $"{indent}public static class {TypeName(shape)}\n{indent}{{\n");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values.Select(v => (string)v!))
        {
            var constant = EnumConstant(value);
            while (!used.Add(constant))
            {
                constant += "_";
            }

            sb.Append(CultureInfo.InvariantCulture, $"{indent}    public const string {constant} = \"{value}\";\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"{indent}}}\n\n");
    }

    public static void TrimBlankLine(StringBuilder sb)
    {
        if (sb.Length >= 2 && sb[^1] == '\n' && sb[^2] == '\n')
        {
            sb.Length--;
        }
    }
}
