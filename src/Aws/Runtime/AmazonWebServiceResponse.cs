using System.Net;
using System.Text.Json.Serialization;

namespace BatchOps.Aws.Runtime;

/// <summary>What every response carries besides its members, named as in the AWS SDK for .NET.</summary>
public sealed record ResponseMetadata(string? RequestId);

/// <summary>
/// Base of every generated <c>...Response</c>, as <c>Amazon.Runtime.AmazonWebServiceResponse</c> is in the SDK:
/// the request id (for the operation ledger and AWS support) and the HTTP status. Neither takes part in equality, so
/// two responses with the same members compare equal whichever request produced them.
/// </summary>
public abstract record AmazonWebServiceResponse
{
    [JsonIgnore]
    public ResponseMetadata ResponseMetadata { get; internal set; } = new(RequestId: null);

    [JsonIgnore]
    public HttpStatusCode HttpStatusCode { get; internal set; }

    public virtual bool Equals(AmazonWebServiceResponse? other) => other is not null && EqualityContract == other.EqualityContract;

    public override int GetHashCode() => EqualityContract.GetHashCode();
}
