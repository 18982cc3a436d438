using System.Text.Json;

namespace BatchOps.Aws.Runtime;

/// <summary>A request ready to sign and send: everything but the endpoint's scheme and host.</summary>
public sealed record MarshalledRequest(string Method, string PathAndQuery, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string? ContentType);

/// <summary>Turns typed requests into wire requests and wire responses into typed responses (awsJson and restJson1).</summary>
public static class AwsRequestMarshaller
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public static MarshalledRequest Marshal<TRequest, TResponse>(AwsServiceDescription service, AwsOperation<TRequest, TResponse> operation, TRequest request)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (service.Protocol == AwsProtocol.Json)
        {
            var headers = new List<KeyValuePair<string, string>> { new("X-Amz-Target", $"{service.TargetPrefix}.{operation.Name}") };
            return new MarshalledRequest("POST", "/", headers, JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options), service.JsonContentType);
        }

        var bindings = new HttpBindings();
        operation.BindHttp?.Invoke(request, bindings);
        var pathAndQuery = bindings.BuildPathAndQuery(operation.RequestUri);
        var body = operation.HasBody ? JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options) : [];
        return new MarshalledRequest(operation.HttpMethod, pathAndQuery, bindings.Headers, body, operation.HasBody ? "application/json" : null);
    }

    /// <summary>The absolute request URI: a custom endpoint's own path (e.g. https://proxy/custom) prefixes the request's.</summary>
    public static Uri RequestUri(Uri endpoint, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var basePath = endpoint.AbsolutePath.TrimEnd('/');
        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + basePath + pathAndQuery, in ExactUri);
    }

    private static readonly UriCreationOptions ExactUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>Reads a success response; an empty body reads as an empty object.</summary>
    public static TResponse Unmarshal<TResponse>(ReadOnlyMemory<byte> body)
        where TResponse : class
    {
        var span = body.Span;
        var json = span.Trim(" \r\n\t"u8).IsEmpty ? EmptyObject : span;
        return JsonSerializer.Deserialize<TResponse>(json, AwsJson.Options)
            ?? throw new JsonException($"The response body for {typeof(TResponse).Name} was null.");
    }
}
