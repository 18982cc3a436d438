using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Tests.Protocol.Generated;

namespace BatchOps.Aws.Tests.Protocol;

/// <summary>
/// The input (serialization) vectors for json (ECS), json_1_0 (Step Functions) and rest-json (Scheduler),
/// run against the generated records and <see cref="AwsRequestMarshaller"/> the clients use.
/// </summary>
public sealed class ProtocolSerializationTests
{
    private const string FixedToken = "00000000-0000-4000-8000-000000000000";

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var file in new[] { "input/json.json", "input/json_1_0.json", "input/rest-json.json" })
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
    public void Request_matches_the_vector(string file, int suite, string id)
    {
        var c = ProtocolVectors.Load(file).Single(x => x.Suite == suite && x.Id == id);
        var inputShape = (string?)c.Case["given"]!["input"]?["shape"];
        var request = inputShape is null
            ? Activator.CreateInstance(c.RequestType)!
            : ProtocolVectors.FromParams(c.Case["params"], inputShape, c.Shapes, c.RequestType)!;

        var marshalled = Marshal(c, request);
        var expected = c.Case["serialized"]!.AsObject();

        Assert.Equal((string)expected["method"]!, marshalled.Method);
        var endpoint = new Uri("https://" + ((string?)expected["host"] ?? "example.com"));
        var uri = AwsRequestMarshaller.RequestUri(endpoint, marshalled.PathAndQuery);
        AssertUri((string)expected["uri"]!, uri.PathAndQuery);

        var headers = marshalled.Headers.ToList();
        if (marshalled.ContentType is not null)
        {
            headers.Add(new("Content-Type", marshalled.ContentType));
        }

        foreach (var (name, value) in expected["headers"]?.AsObject() ?? [])
        {
            var actual = headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
            Assert.True(actual.Count > 0, $"header {name} is missing");
            Assert.Equal((string)value!, string.Join(", ", actual));
        }

        foreach (var name in expected["forbidHeaders"]?.AsArray().Select(n => (string)n!) ?? [])
        {
            Assert.DoesNotContain(headers, h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        }

        var expectedBody = (string?)expected["body"] ?? string.Empty;
        var actualBody = Encoding.UTF8.GetString(marshalled.Body);
        if (expectedBody.Length == 0)
        {
            Assert.True(actualBody.Length == 0 || actualBody == "{}", $"expected no body, got {actualBody}");
        }
        else
        {
            Assert.True(ProtocolVectors.JsonEquals(JsonNode.Parse(expectedBody), JsonNode.Parse(actualBody)), $"body\nexpected {expectedBody}\nactual   {actualBody}");
        }
    }

    [Fact]
    public void Every_suite_is_run_or_skipped_with_a_reason()
    {
        foreach (var file in new[] { "input/json.json", "input/json_1_0.json", "input/rest-json.json", "output/json.json", "output/json_1_0.json", "output/rest-json.json" })
        {
            var suites = JsonNode.Parse(File.ReadAllText(Support.SharedData.Path_("protocol-tests", file)))!.AsArray();
            var run = ProtocolVectors.Load(file).Select(c => c.Suite).ToHashSet();
            for (var i = 0; i < suites.Count; i++)
            {
                Assert.True(run.Contains(i) || SkippedSuites.All.Any(s => s.File == file && s.Index == i && s.Reason.Length > 0), $"{file} suite {i} is neither run nor skipped");
            }
        }
    }

    private static MarshalledRequest Marshal(ProtocolCase c, object request)
    {
        // The vectors expect tokens the way botocore fills them in its tests: a fixed UUID.
        var fill = c.Operation.GetType().GetProperty("FillIdempotencyTokens")!.GetValue(c.Operation);
        if (fill is Delegate d)
        {
            request = d.DynamicInvoke(request, (Func<string>)(() => FixedToken))!;
        }

        var method = typeof(AwsRequestMarshaller).GetMethod(nameof(AwsRequestMarshaller.Marshal))!.MakeGenericMethod(c.RequestType, c.ResponseType);
        try
        {
            return (MarshalledRequest)method.Invoke(null, [c.Service, c.Operation, request])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static void AssertUri(string expected, string actual)
    {
        static (string Path, List<string> Query) Split(string uri)
        {
            var q = uri.IndexOf('?', StringComparison.Ordinal);
            var query = q < 0 ? [] : uri[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).Order(StringComparer.Ordinal).ToList();
            return (q < 0 ? uri : uri[..q], query);
        }

        var (ePath, eQuery) = Split(expected);
        var (aPath, aQuery) = Split(actual);
        Assert.Equal(ePath, aPath);
        Assert.Equal(eQuery, aQuery);
    }
}
