using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace BatchOps.Aws.Runtime;

/// <summary>
/// Reads an AWS JSON error response (awsJson1_0, awsJson1_1, restJson1). The code comes from the
/// x-amzn-ErrorType header, else the body's <c>code</c>, else <c>__type</c>; any namespace before '#'
/// and any URI after ':' is dropped, as the protocols specify.
/// </summary>
public static class AwsErrorParser
{
    public static AwsErrorDetails Parse(HttpStatusCode status, HttpResponseHeaders headers, HttpContentHeaders? contentHeaders, ReadOnlySpan<byte> body)
    {
        string? headerCode = headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        headerCode ??= contentHeaders is not null && contentHeaders.TryGetValues("x-amzn-ErrorType", out var cv) ? cv.FirstOrDefault() : null;
        return Parse(status, headerCode, RequestId(headers), body);
    }

    /// <summary>x-amzn-RequestId (JSON protocols), else x-amz-request-id.</summary>
    public static string? RequestId(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault()
            : headers.TryGetValues("x-amz-request-id", out var ids2) ? ids2.FirstOrDefault() : null;
    }

    public static AwsErrorDetails Parse(HttpStatusCode status, string? headerCode, string? requestId, ReadOnlySpan<byte> body)
    {
        JsonElement? document = null;
        string? bodyCode = null;
        string? message = null;
        if (!body.IsEmpty)
        {
            try
            {
                using var doc = JsonDocument.Parse(body.ToArray());
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var root = doc.RootElement.Clone();
                    document = root;
                    bodyCode = StringMember(root, "code") ?? StringMember(root, "__type");
                    message = StringMember(root, "message") ?? StringMember(root, "Message") ?? StringMember(root, "errorMessage");
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page, say): the status alone describes the error.
            }
        }

        var code = Sanitize(headerCode) ?? Sanitize(bodyCode) ?? CodeForStatus(status);
        message ??= $"{(int)status} {status}";
        return new AwsErrorDetails(code, message, status, requestId, document);
    }

    /// <summary>Strips a URI after ':' and a namespace before '#': "ns#Code:http://..." becomes "Code".</summary>
    public static string? Sanitize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw.Trim();
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        return code.Length == 0 ? null : code;
    }

    private static string? StringMember(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string CodeForStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => "TooManyRequestsException",
        HttpStatusCode.ServiceUnavailable => "ServiceUnavailable",
        HttpStatusCode.InternalServerError => "InternalFailure",
        HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => "ServiceUnavailable",
        HttpStatusCode.Forbidden => "AccessDeniedException",
        HttpStatusCode.NotFound => "NotFound",
        _ => "Http" + (int)status,
    };
}

/// <summary>Which errors are throttling and which are transient, as the AWS SDKs' standard retry mode has them.</summary>
public static class AwsErrorClassifier
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalFailure", "InternalError", "InternalServerError",
        "InternalServerException", "ServiceUnavailable", "ServiceUnavailableException", "ServerException",
    };

    /// <summary>The service refused the request for rate: it did not act on it, so any request may be resent.</summary>
    public static bool IsThrottling(AwsErrorDetails error) =>
        error.StatusCode == HttpStatusCode.TooManyRequests || ThrottlingCodes.Contains(error.ErrorCode);

    private static readonly HashSet<string> ClockSkewCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
    };

    private static readonly HashSet<string> SignatureCodes = new(StringComparer.Ordinal)
    {
        "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
    };

    /// <summary>
    /// The service refused the request because it was signed at a time too far from its own clock (the SDKs' list:
    /// skew codes, and signature errors whose message says the signature expired or is not yet current).
    /// </summary>
    public static bool IsClockSkew(AwsErrorDetails error) =>
        ClockSkewCodes.Contains(error.ErrorCode)
        || (SignatureCodes.Contains(error.ErrorCode)
            && (error.Message.Contains("Signature expired", StringComparison.OrdinalIgnoreCase)
                || error.Message.Contains("not yet current", StringComparison.OrdinalIgnoreCase)));

    /// <summary>A server-side failure that may have happened before or after the request took effect.</summary>
    public static bool IsTransient(AwsErrorDetails error) =>
        (int)error.StatusCode is 500 or 502 or 503 or 504 || TransientCodes.Contains(error.ErrorCode);
}
