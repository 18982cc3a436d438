using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using BatchOps.Aws.Signing;
using BatchOps.Sandbox.Iam;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BatchOps.Sandbox.Hosting;

/// <summary>
/// The credentials the sandbox hands out (the dashboard's in sandbox mode, the worker's in its tasks) and the SigV4
/// check of every request. A request signed with one of these keys must carry the signature AWS would compute;
/// other keys are accepted as long as the header is well formed (any credentials work, as LocalStack users expect),
/// unless <see cref="Strict"/> says only known keys may call.
/// </summary>
public sealed class SandboxCredentials
{
    /// <summary>What the dashboard signs with in sandbox mode.</summary>
    public const string DashboardAccessKeyId = "sandbox";

    public const string DashboardSecretAccessKey = "sandbox-secret";

    /// <summary>What the worker's tasks get as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.</summary>
    public const string WorkerAccessKeyId = "sandbox-worker";

    public const string WorkerSecretAccessKey = "sandbox-worker-secret";

    /// <summary>What the sandbox's administrator signs with (tests, scripts): every action allowed when IAM is enforced.</summary>
    public const string AdministratorAccessKeyId = "sandbox-admin";

    public const string AdministratorSecretAccessKey = "sandbox-admin-secret";

    private sealed record Key(string Secret, SandboxPrincipal? Principal);

    private readonly ConcurrentDictionary<string, Key> _known = new(StringComparer.Ordinal)
    {
        [DashboardAccessKeyId] = new(DashboardSecretAccessKey, null),
        [WorkerAccessKeyId] = new(WorkerSecretAccessKey, null),
        [AdministratorAccessKeyId] = new(AdministratorSecretAccessKey, null),
    };

    /// <summary>Makes a key act as a role's session (the dashboard's key as its task role, once the template is deployed).</summary>
    public void Bind(string accessKeyId, SandboxPrincipal principal)
    {
        _known.AddOrUpdate(accessKeyId, _ => throw new ArgumentException($"The sandbox did not hand out the key {accessKeyId}.", nameof(accessKeyId)), (_, key) => key with { Principal = principal });
    }

    /// <summary>Temporary credentials for a role's session (what an ECS task gets for its task role).</summary>
    public (string AccessKeyId, string SecretAccessKey) Issue(SandboxPrincipal principal)
    {
        var id = "ASIA" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        _known[id] = new Key(secret, principal);
        return (id, secret);
    }

    /// <summary>Who a signed request's key acts as: null for keys the sandbox did not hand out, or not bound to a role.</summary>
    public SandboxPrincipal? PrincipalOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SigV4Authorization.TryParse(request.Headers.Authorization, out var authorization, out _) && _known.TryGetValue(authorization.AccessKeyId, out var key) ? key.Principal : null;
    }

    /// <summary>Whether the request's key is one the sandbox handed out.</summary>
    public bool IsKnown(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SigV4Authorization.TryParse(request.Headers.Authorization, out var authorization, out _) && _known.ContainsKey(authorization.AccessKeyId);
    }

    /// <summary>Refuse keys the sandbox did not hand out.</summary>
    public bool Strict { get; set; }

    /// <summary>
    /// The clock signatures are checked against, as AWS checks them: more than 5 minutes either way is refused. The
    /// wall clock, not the sandbox's scaled one: signing is transport, and the answer's Date header says this time.
    /// </summary>
    public TimeProvider Wall { get; init; } = TimeProvider.System;

    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);

    /// <summary>Null when the request may go on; otherwise AWS's error code and message for the refusal.</summary>
    public (string Code, string Message)? Check(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!SigV4Authorization.TryParse(request.Headers.Authorization, out var authorization, out var problem))
        {
            return ("MissingAuthenticationTokenException", problem);
        }

        if (!_known.TryGetValue(authorization.AccessKeyId, out var key))
        {
            return Strict ? ("UnrecognizedClientException", "The security token included in the request is invalid.") : null;
        }

        if (!DateTime.TryParseExact(request.Headers["X-Amz-Date"].ToString(), SigV4Signer.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return ("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        // AWS's words for a request signed too long ago or too far ahead (clients correct their clock from the Date header).
        var now = Wall.GetUtcNow().UtcDateTime;
        if (signedAt < now - AllowedSkew)
        {
            return ("InvalidSignatureException", $"Signature expired: {Stamp(signedAt)} is now earlier than {Stamp(now - AllowedSkew)} ({Stamp(now)} - 5 min.)");
        }

        if (signedAt > now + AllowedSkew)
        {
            return ("InvalidSignatureException", $"Signature not yet current: {Stamp(signedAt)} is still later than {Stamp(now + AllowedSkew)} ({Stamp(now)} + 5 min.)");
        }

        // The request exactly as sent (path and query still encoded), and the headers the client said it signed.
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var query = q >= 0 ? target[(q + 1)..] : string.Empty;
        var path = q >= 0 ? target[..q] : target;
        var headers = authorization.SignedHeaders
            .Select(name => new KeyValuePair<string, string>(name, name == "host" ? request.Host.Value ?? string.Empty : string.Join(',', request.Headers[name].ToArray())))
            .ToList();
        var expected = SigV4Signer.Sign(new SigV4Request(request.Method, path, query, headers, body), new ImmutableCredentials(authorization.AccessKeyId, key.Secret, null), authorization.Region, authorization.Service, signedAt);
        return SigV4Authorization.TryParse(expected.Authorization, out var computed, out _)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed.Signature), Encoding.ASCII.GetBytes(authorization.Signature))
                ? null
                : ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    private static string Stamp(DateTime at) => at.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture);
}
