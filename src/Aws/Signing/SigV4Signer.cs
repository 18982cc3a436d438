using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace BatchOps.Aws.Signing;

/// <summary>A request as SigV4 sees it: method, the path and query as sent, headers in order, and the body.</summary>
public sealed record SigV4Request(string Method, string Path, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, ReadOnlyMemory<byte> Body);

/// <summary>Everything a signature is made of, so each step can be checked against the AWS test suite.</summary>
/// <param name="AddedHeaders">Headers the signer added (the session token) that the request must carry.</param>
public sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string SignedHeaders, string Authorization, IReadOnlyList<KeyValuePair<string, string>> AddedHeaders);

/// <summary>
/// AWS Signature Version 4 for non-S3 services: we build the canonical request and string to sign, and
/// AWSSDK.Core's <see cref="AWS4Signer"/> derives the key and computes the signature.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    public const string SecurityTokenHeader = "X-Amz-Security-Token";

    /// <summary>
    /// Signs the request. Temporary credentials' session token is added as X-Amz-Security-Token, and signed,
    /// unless the request already carries one.
    /// </summary>
    public static SigV4Signature Sign(SigV4Request request, ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var payloadHash = HexSha256(request.Body.Span);
        var headers = request.Headers;
        var added = new List<KeyValuePair<string, string>>();
        if (credentials.UseToken && !headers.Any(h => h.Key.Equals(SecurityTokenHeader, StringComparison.OrdinalIgnoreCase)))
        {
            added.Add(new(SecurityTokenHeader, credentials.Token));
            headers = [.. headers, .. added];
        }

        var (canonicalHeaders, signedHeaders) = CanonicalizeHeaders(headers);
        var canonicalRequest = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalUri(request.Path),
            CanonicalQuery(request.Query),
            canonicalHeaders,
            signedHeaders,
            payloadHash);

        var amzDate = signedAtUtc.ToString(DateFormat, CultureInfo.InvariantCulture);
        var scope = $"{signedAtUtc.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";

        var result = AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonicalRequest);
        return new SigV4Signature(canonicalRequest, stringToSign, signedHeaders, result.ForAuthorizationHeader, added);
    }

    /// <summary>Removes dot segments and empty segments, then URI-encodes each segment (again, for non-S3).</summary>
    public static string CanonicalUri(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(UriEncode(segment));
        }

        var trailingSlash = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal);
        var canonical = "/" + string.Join('/', segments);
        return trailingSlash && segments.Count > 0 ? canonical + "/" : canonical;
    }

    /// <summary>Decodes then re-encodes each parameter, and sorts by name, then value.</summary>
    public static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var pairs = new List<(string Key, string Value)>();
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(key)), UriEncode(Uri.UnescapeDataString(value))));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>Lower-cases names, folds whitespace in values, joins repeated headers with commas, sorts by name.</summary>
    public static (string CanonicalHeaders, string SignedHeaders) CanonicalizeHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var grouped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (!grouped.TryGetValue(key, out var values))
            {
                grouped[key] = values = [];
            }

            values.Add(FoldWhitespace(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in grouped)
        {
            canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', grouped.Keys));
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex.</summary>
    public static string UriEncode(string value)
    {
        var sb = new StringBuilder(value.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static string FoldWhitespace(string value)
    {
        var sb = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
