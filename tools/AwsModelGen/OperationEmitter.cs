using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOps.AwsModelGen;

/// <summary>One operation to generate: its model node plus how it may be retried.</summary>
internal sealed record OperationSpec(string Name, JsonObject Node, string RetrySafety);

/// <summary>Emits operation descriptors (with rest-json HTTP binders) for a set of operations.</summary>
internal sealed class OperationEmitter(TypeEmitter types, bool restJson)
{
    public static string RequestType(string op) => op + "Request";

    public static string ResponseType(string op) => op + "Response";

    public void EmitDescriptor(StringBuilder sb, OperationSpec op, string indent)
    {
        var http = (JsonObject)op.Node["http"]!;
        var inputShape = (string?)op.Node["input"]?["shape"];
        var req = RequestType(op.Name);
        var resp = ResponseType(op.Name);
        sb.Append(CultureInfo.InvariantCulture, $"{indent}public static readonly AwsOperation<{req}, {resp}> {op.Name} = new()\n{indent}{{\n");
        sb.Append(CultureInfo.InvariantCulture, $"{indent}    Name = \"{op.Name}\",\n");
        sb.Append(CultureInfo.InvariantCulture, $"{indent}    HttpMethod = \"{(string)http["method"]!}\",\n");
        sb.Append(CultureInfo.InvariantCulture, $"{indent}    RequestUri = \"{(string)http["requestUri"]!}\",\n");
        var code = (int?)http["responseCode"];
        if (code is not null and not 200)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{indent}    SuccessCode = {code},\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"{indent}    IsRetrySafe = {op.RetrySafety},\n");

        var members = inputShape is null ? [] : types.Members(inputShape).ToList();
        var tokens = members.Where(m => m.Member["idempotencyToken"]?.GetValue<bool>() == true).ToList();
        if (tokens.Count > 0)
        {
            var assignments = string.Join(", ", tokens.Select(t => $"{t.Property} = r.{t.Property} ?? newToken()"));
            sb.Append(CultureInfo.InvariantCulture, $"{indent}    FillIdempotencyTokens = static (r, newToken) => r with {{ {assignments} }},\n");
        }

        if (restJson)
        {
            var bound = members.Where(m => TypeEmitter.LocationOf(m.Member) is not MemberLocation.Body and not MemberLocation.StatusCode).ToList();
            var hasBody = members.Any(m => TypeEmitter.LocationOf(m.Member) == MemberLocation.Body);
            sb.Append(CultureInfo.InvariantCulture, $"{indent}    HasBody = {(hasBody ? "true" : "false")},\n");
            if (bound.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{indent}    BindHttp = static (r, http) =>\n{indent}    {{\n");
                foreach (var (name, member, property, _) in bound)
                {
                    var wire = (string?)member["locationName"] ?? name;
                    var format = types.TimestampFormat(member);
                    var formatArg = format is null ? string.Empty : $", TimestampFormat.{FormatName(format)}";
                    var call = TypeEmitter.LocationOf(member) switch
                    {
                        MemberLocation.Uri => "Label",
                        MemberLocation.Query => types.Model.TypeOf((string)member["shape"]!) == "map" ? "QueryMap" : "Query",
                        MemberLocation.Header => "Header",
                        MemberLocation.Headers => "PrefixHeaders",
                        _ => throw new InvalidOperationException(),
                    };
                    sb.Append(CultureInfo.InvariantCulture, $"{indent}        http.{call}(\"{wire}\", r.{property}{formatArg});\n");
                }

                sb.Append(CultureInfo.InvariantCulture, $"{indent}    }},\n");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"{indent}}};\n\n");
    }

    private static string FormatName(string format) => format switch
    {
        "iso8601" => "Iso8601",
        "rfc822" => "HttpDate",
        "unixTimestamp" => "EpochSeconds",
        _ => throw new NotSupportedException(format),
    };

    /// <summary>Maps request/response type names onto the operations' input and output shapes.</summary>
    public static void AddOperationTypeNames(IDictionary<string, string> names, IEnumerable<(string Op, JsonObject Node)> ops)
    {
        foreach (var (op, node) in ops)
        {
            if ((string?)node["input"]?["shape"] is { } input)
            {
                names[input] = RequestType(op);
            }

            if ((string?)node["output"]?["shape"] is { } output)
            {
                names[output] = ResponseType(op);
            }
        }
    }

    /// <summary>Emits an empty request or response record for operations the model gives no shape.</summary>
    public static void EmitMissingIoRecords(StringBuilder sb, string op, JsonObject node, string indent)
    {
        if (node["input"] is null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{indent}public sealed record {RequestType(op)};\n\n");
        }

        if (node["output"] is null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{indent}public sealed record {ResponseType(op)} : AmazonWebServiceResponse;\n\n");
        }
    }
}
