using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;

namespace BatchOps.Aws.Tests.Protocol;

/// <summary>
/// The output (parsing and error) vectors for json, json_1_0 and rest-json, run against the generated
/// records, <see cref="AwsRequestMarshaller.Unmarshal{TResponse}"/> and <see cref="AwsErrorParser"/>.
/// </summary>
public sealed class ProtocolParsingTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var file in new[] { "output/json.json", "output/json_1_0.json", "output/rest-json.json" })
        {
            foreach (var c in ProtocolVectors.Load(file))
            {
                data.Add(c.File, c.Suite, c.Id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Response_parses_as_the_vector_says(string file, int suite, string id)
    {
        var c = ProtocolVectors.Load(file).Single(x => x.Suite == suite && x.Id == id);
        var response = c.Case["response"]!.AsObject();
        var status = (HttpStatusCode)(int)response["status_code"]!;
        var headers = response["headers"]?.AsObject() ?? [];
        var body = Encoding.UTF8.GetBytes((string?)response["body"] ?? string.Empty);

        if (c.Case["errorCode"] is { } errorCode)
        {
            var headerCode = headers.FirstOrDefault(h => h.Key.Equals("X-Amzn-Errortype", StringComparison.OrdinalIgnoreCase)).Value;
            var details = AwsErrorParser.Parse(status, (string?)headerCode, null, body);
            var exception = c.Service.CreateException(details);

            Assert.Equal((string)errorCode!, exception.ErrorCode);
            Assert.Equal((string)errorCode! + "Exception", exception.GetType().Name.Replace("ExceptionException", "Exception", StringComparison.Ordinal));
            if (c.Case["errorMessage"] is { } message)
            {
                Assert.Equal((string)message!, exception.ErrorMessage);
            }

            // Members beyond the message are readable from the error document.
            var errorShape = c.Shapes[(string)errorCode!]!.AsObject();
            foreach (var (name, value) in c.Case["error"]?.AsObject() ?? [])
            {
                if ((string?)errorShape["members"]![name]!["location"] == "header")
                {
                    var headerName = (string)errorShape["members"]![name]!["locationName"]!;
                    Assert.Equal((string)value!, (string)headers.First(h => h.Key.Equals(headerName, StringComparison.OrdinalIgnoreCase)).Value!);
                    continue; // bound to a response header, not the body; our services' errors have no such members
                }

                Assert.True(details.Body.HasValue, $"error member {name} has no body to come from");
                var member = errorShape["members"]![name]!.AsObject();
                var wire = (string?)member["locationName"] ?? name;
                var actual = WireToParams(JsonNode.Parse(details.Body.Value.GetProperty(wire).GetRawText()), (string)member["shape"]!, c.Shapes);
                Assert.True(ProtocolVectors.JsonEquals(value, actual), $"error member {name}");
            }

            return;
        }

        var unmarshal = typeof(AwsRequestMarshaller).GetMethod(nameof(AwsRequestMarshaller.Unmarshal))!.MakeGenericMethod(c.ResponseType);
        object result;
        try
        {
            result = unmarshal.Invoke(null, [new ReadOnlyMemory<byte>(body)])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }

        var outputShape = (string?)c.Case["given"]!["output"]?["shape"];
        var expected = c.Case["result"] ?? new JsonObject();
        var actualResult = outputShape is null ? new JsonObject() : ProtocolVectors.ToParams(result, outputShape, c.Shapes);
        Assert.True(ProtocolVectors.JsonEquals(expected, actualResult), $"result\nexpected {expected.ToJsonString()}\nactual   {actualResult?.ToJsonString()}");
    }

    /// <summary>Renames wire names (locationName) back to member names, as the vectors write errors.</summary>
    private static JsonNode? WireToParams(JsonNode? node, string shapeName, JsonObject shapes)
    {
        var shape = shapes[shapeName]!.AsObject();
        if (node is not JsonObject obj || (string)shape["type"]! != "structure")
        {
            return node;
        }

        var result = new JsonObject();
        foreach (var (name, member) in shape["members"]!.AsObject())
        {
            var wire = (string?)member!["locationName"] ?? name;
            if (obj[wire] is { } value)
            {
                result[name] = WireToParams(value.DeepClone(), (string)member["shape"]!, shapes);
            }
        }

        return result;
    }
}
