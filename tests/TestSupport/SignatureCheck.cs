using System.Globalization;
using System.Text;
using Amazon.Runtime;
using BatchOps.Aws.Signing;

namespace BatchOps.TestSupport;

/// <summary>Re-signs a captured request with the secret the client was given: the signature must match exactly.</summary>
public static class SignatureCheck
{
    public static SigV4Authorization AssertSigned(CapturedRequest request, string accessKeyId, string secretAccessKey)
    {
        if (!SigV4Authorization.TryParse(request.Headers.GetValueOrDefault("Authorization"), out var authorization, out var error))
        {
            throw new InvalidOperationException($"Request to {request.Path} is not SigV4-signed: {error}");
        }

        if (authorization.AccessKeyId != accessKeyId)
        {
            throw new InvalidOperationException($"Signed with key {authorization.AccessKeyId}, expected {accessKeyId}.");
        }

        var signedAt = DateTime.ParseExact(request.Headers["X-Amz-Date"], SigV4Signer.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var headers = authorization.SignedHeaders.Select(h => new KeyValuePair<string, string>(h, request.Headers[h])).ToList();
        var resigned = SigV4Signer.Sign(
            new SigV4Request(request.Method, request.Path, request.Query.TrimStart('?'), headers, Encoding.UTF8.GetBytes(request.Body)),
            new ImmutableCredentials(accessKeyId, secretAccessKey, null),
            authorization.Region,
            authorization.Service,
            signedAt);
        if (resigned.Authorization != request.Headers["Authorization"])
        {
            throw new InvalidOperationException($"Signature mismatch.\nsent:     {request.Headers["Authorization"]}\nexpected: {resigned.Authorization}\ncanonical request:\n{resigned.CanonicalRequest}");
        }

        return authorization;
    }
}
