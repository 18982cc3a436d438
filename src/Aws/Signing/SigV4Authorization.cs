using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace BatchOps.Aws.Signing;

/// <summary>
/// The parts of a SigV4 Authorization header. The sandbox uses it to check a request is signed (and for
/// which service) without verifying credentials; tests use it to re-sign captured requests.
/// </summary>
public sealed partial record SigV4Authorization(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
{
    public static bool TryParse(string? header, [NotNullWhen(true)] out SigV4Authorization? authorization, [NotNullWhen(false)] out string? error)
    {
        authorization = null;
        if (string.IsNullOrEmpty(header))
        {
            error = "Missing Authentication Token";
            return false;
        }

        var match = Pattern().Match(header);
        if (!match.Success)
        {
            error = "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters in the AWS4-HMAC-SHA256 form.";
            return false;
        }

        var signed = match.Groups["headers"].Value.Split(';');
        if (!signed.Contains("host") || signed.Any(h => h.Length == 0 || h.Any(char.IsUpper)))
        {
            error = "SignedHeaders must be lowercase, separated by ';', and include 'host'.";
            return false;
        }

        authorization = new(match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["service"].Value, signed, match.Groups["signature"].Value);
        error = null;
        return true;
    }

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/\s]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?<headers>[^,\s]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex Pattern();
}
