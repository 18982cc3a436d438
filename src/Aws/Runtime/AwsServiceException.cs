using System.Net;
using System.Text.Json;

namespace BatchOps.Aws.Runtime;

/// <summary>What an AWS error response said.</summary>
/// <param name="ErrorCode">The model's error shape name, e.g. <c>ExecutionDoesNotExist</c>.</param>
/// <param name="Message">The service's message, or a description of the status when it sent none.</param>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="RequestId">x-amzn-RequestId, for AWS support.</param>
/// <param name="Body">The error document, for members beyond code and message.</param>
public sealed record AwsErrorDetails(string ErrorCode, string Message, HttpStatusCode StatusCode, string? RequestId, JsonElement? Body = null)
{
    /// <summary>Reads a string member of the error document, e.g. <c>resourceName</c>.</summary>
    public string? Member(string name) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>An error answered by an AWS service. Generated subclasses exist for every error in the models.</summary>
public class AwsServiceException(AwsErrorDetails details)
    : Exception($"{details.ErrorCode}: {details.Message} (HTTP {(int)details.StatusCode}, request id {details.RequestId ?? "none"})")
{
    public AwsErrorDetails Details { get; } = details;

    public string ErrorCode => Details.ErrorCode;

    public HttpStatusCode StatusCode => Details.StatusCode;

    public string? RequestId => Details.RequestId;

    /// <summary>The service's own message, without the code and status this exception's Message adds.</summary>
    public string ErrorMessage => Details.Message;

    public bool IsThrottling => AwsErrorClassifier.IsThrottling(Details);
}

/// <summary>The service could not be reached, or the connection failed, after every allowed attempt.</summary>
public sealed class AwsTransportException(string operation, Uri endpoint, Exception inner)
    : Exception($"{operation}: could not reach {endpoint.GetLeftPart(UriPartial.Authority)}: {inner.Message}", inner)
{
    public string Operation { get; } = operation;

    public Uri Endpoint { get; } = endpoint;
}
