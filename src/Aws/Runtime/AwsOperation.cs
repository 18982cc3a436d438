namespace BatchOps.Aws.Runtime;

/// <summary>
/// How one API operation goes on the wire: generated from the service model for every operation we call.
/// </summary>
public sealed class AwsOperation<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    /// <summary>The model's operation name, e.g. <c>StartExecution</c>.</summary>
    public required string Name { get; init; }

    public required string HttpMethod { get; init; }

    /// <summary>The request URI template (rest-json), or <c>/</c> for the JSON RPC protocols.</summary>
    public required string RequestUri { get; init; }

    public int SuccessCode { get; init; } = 200;

    /// <summary>
    /// Whether a request may be sent again after a 5xx or a network failure, when the first attempt may have
    /// taken effect: true for reads and for writes carrying an idempotency key.
    /// </summary>
    public required Func<TRequest, bool> IsRetrySafe { get; init; }

    /// <summary>Fills members marked idempotencyToken once, before the first attempt, so retries reuse them.</summary>
    public Func<TRequest, Func<string>, TRequest>? FillIdempotencyTokens { get; init; }

    /// <summary>rest-json: binds members to the URI, query string and headers.</summary>
    public Action<TRequest, HttpBindings>? BindHttp { get; init; }

    /// <summary>rest-json: whether the input has members that go in the JSON body.</summary>
    public bool HasBody { get; init; } = true;
}
