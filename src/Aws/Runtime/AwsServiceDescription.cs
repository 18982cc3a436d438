namespace BatchOps.Aws.Runtime;

public enum AwsProtocol
{
    /// <summary>awsJson1_0 / awsJson1_1: POST / with X-Amz-Target.</summary>
    Json,

    /// <summary>restJson1: HTTP method and path per operation, members bound to URI, query and headers.</summary>
    RestJson,
}

/// <summary>Wire facts about a service, generated from its model's metadata.</summary>
public sealed class AwsServiceDescription
{
    /// <summary>The model's serviceId, e.g. <c>SFN</c>; names AWS_ENDPOINT_URL_&lt;ID&gt; and configuration keys.</summary>
    public required string ServiceId { get; init; }

    public required string EndpointPrefix { get; init; }

    public required string SigningName { get; init; }

    public required AwsProtocol Protocol { get; init; }

    public string JsonVersion { get; init; } = "1.1";

    public string? TargetPrefix { get; init; }

    /// <summary>Maps an error response to the model's typed exception.</summary>
    public required Func<AwsErrorDetails, AwsServiceException> CreateException { get; init; }

    /// <summary>The environment variable the AWS SDKs read for this service's endpoint.</summary>
    public string EndpointEnvironmentVariable => "AWS_ENDPOINT_URL_" + ServiceId.ToUpperInvariant().Replace(' ', '_');

    public string JsonContentType => "application/x-amz-json-" + JsonVersion;
}
