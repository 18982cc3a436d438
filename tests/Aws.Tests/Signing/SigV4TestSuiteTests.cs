using System.Globalization;
using System.Text;
using Amazon.Runtime;
using BatchOps.Aws.Signing;
using BatchOps.Aws.Tests.Support;

namespace BatchOps.Aws.Tests.Signing;

/// <summary>Every case of the AWS SigV4 test suite in ../shared/aws/sigv4, nested folders included.</summary>
public sealed class SigV4TestSuiteTests
{
    private static readonly ImmutableCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    public static List<string> CaseNames() =>
        Directory.EnumerateFiles(SharedData.Path_("sigv4"), "*.req", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(req => Path.GetRelativePath(SharedData.Path_("sigv4"), req[..^4]))
            .ToList();

    public static TheoryData<string> Cases() => new(CaseNames());

    // The suite's own input for this case: temporary credentials whose session token the signer adds and signs.
    private const string SuiteSessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

    [Fact]
    public void Every_folder_of_the_suite_is_a_case_or_holds_nested_cases()
    {
        var caseFolders = CaseNames().Select(c => Path.GetDirectoryName(c)!).ToHashSet();
        var folders = Directory.GetDirectories(SharedData.Path_("sigv4"), "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(SharedData.Path_("sigv4"), d)).ToList();
        Assert.All(folders, f => Assert.True(caseFolders.Contains(f) || caseFolders.Any(c => c.StartsWith(f + "/", StringComparison.Ordinal)), f));
        Assert.Equal(34, CaseNames().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonical_request_string_to_sign_and_authorization_match_the_suite(string @case)
    {
        var basePath = SharedData.Path_("sigv4", @case);
        var request = ParseRequest(File.ReadAllText(basePath + ".req"));

        var credentials = @case.Contains("with-session-token", StringComparison.Ordinal)
            ? new ImmutableCredentials(Credentials.AccessKey, Credentials.SecretKey, SuiteSessionToken)
            : Credentials;

        var signature = SigV4Signer.Sign(request, credentials, "us-east-1", "service", SignedAt);

        Assert.Equal(File.ReadAllText(basePath + ".creq"), signature.CanonicalRequest);
        Assert.Equal(File.ReadAllText(basePath + ".sts"), signature.StringToSign);
        Assert.Equal(File.ReadAllText(basePath + ".authz"), signature.Authorization);
    }

    /// <summary>Reads the suite's raw HTTP request: request line, headers (with folded lines), blank line, body.</summary>
    internal static SigV4Request ParseRequest(string text)
    {
        var lines = text.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? target : target[..q];
        var query = q < 0 ? string.Empty : target[(q + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        var i = 1;
        for (; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                i++;
                break;
            }

            if (char.IsWhiteSpace(line[0]) && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + "\n" + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        var body = i < lines.Length ? string.Join('\n', lines[i..]) : string.Empty;
        return new SigV4Request(method, path, query, headers, Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public void Session_token_is_signed_when_present()
    {
        var request = new SigV4Request("POST", "/", string.Empty,
            [new("Host", "states.eu-west-1.amazonaws.com"), new("X-Amz-Date", SignedAt.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture)), new("X-Amz-Security-Token", "token")],
            "{}"u8.ToArray());
        var signature = SigV4Signer.Sign(request, new ImmutableCredentials("AKID", "secret", "token"), "eu-west-1", "states", SignedAt);
        Assert.Equal("host;x-amz-date;x-amz-security-token", signature.SignedHeaders);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/states/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=", signature.Authorization);
    }
}
