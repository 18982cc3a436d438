using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace BatchOps.Dashboard.Features.Auth;

public enum SessionVerdict
{
    /// <summary>The session stands with the same roles.</summary>
    Unchanged,

    /// <summary>The session stands, with other roles (an administrator changed them).</summary>
    RolesChanged,

    /// <summary>The session is over: signed out at the provider, revoked, or past its absolute lifetime.</summary>
    Ended,

    /// <summary>The provider could not be asked (unreachable, or no refresh token): the session keeps what it had.</summary>
    Unknown,
}

public sealed record SessionCheck(SessionVerdict Verdict, IReadOnlySet<string> Roles, string Detail);

/// <summary>
/// Asks the identity provider whether a signed-in session still stands, by redeeming its refresh token (standard
/// OpenID Connect; Entra, Okta, Keycloak and the sandbox's provider all answer), and reads the roles the new tokens
/// carry. Cookie sessions and open Blazor circuits both call it every <see cref="AuthOptions.RevalidationInterval"/>.
/// </summary>
public sealed partial class ProviderSessionCheck(
    IHttpClientFactory httpClients,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IDataProtectionProvider dataProtection,
    RoleMapping roles,
    IOptions<AuthOptions> authOptions,
    ILogger<ProviderSessionCheck> logger)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("BatchOps.Auth.RefreshToken");

    public string Protect(string refreshToken) => _protector.Protect(refreshToken);

    /// <summary>The claims a new session carries besides the provider's: when it began and its refresh token, encrypted.</summary>
    public IEnumerable<Claim> SessionClaims(string? refreshToken, DateTimeOffset signedInAt)
    {
        yield return new Claim(RoleMapping.SignedInAtClaim, signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
        if (refreshToken is { Length: > 0 })
        {
            yield return new Claim(RoleMapping.RefreshTokenClaim, Protect(refreshToken));
        }
    }

    public bool IsPastAbsoluteLifetime(ClaimsPrincipal user, DateTimeOffset now) =>
        user.FindFirst(RoleMapping.SignedInAtClaim) is { } claim
        && long.TryParse(claim.Value, CultureInfo.InvariantCulture, out var seconds)
        && now - DateTimeOffset.FromUnixTimeSeconds(seconds) > authOptions.Value.AbsoluteLifetime;

    public async Task<SessionCheck> CheckAsync(ClaimsPrincipal user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var current = RoleMapping.RolesOf(user);
        if (IsPastAbsoluteLifetime(user, now))
        {
            return new SessionCheck(SessionVerdict.Ended, current, $"The session is older than {authOptions.Value.AbsoluteLifetime}: sign in again.");
        }

        if (user.FindFirst(RoleMapping.RefreshTokenClaim)?.Value is not { } protectedToken)
        {
            return new SessionCheck(SessionVerdict.Unknown, current, "No refresh token (the provider gave none; ask for offline_access).");
        }

        string refreshToken;
        try
        {
            refreshToken = _protector.Unprotect(protectedToken);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return new SessionCheck(SessionVerdict.Ended, current, "The session's refresh token cannot be read (the key ring changed): sign in again.");
        }

        var oidc = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        try
        {
            var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = refreshToken,
                    ["client_id"] = oidc.ClientId!,
                    ["client_secret"] = oidc.ClientSecret ?? string.Empty,
                    ["scope"] = string.Join(' ', oidc.Scope),
                }),
            };
            using var response = await httpClients.CreateClient(nameof(ProviderSessionCheck)).SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body);
            if (!response.IsSuccessStatusCode)
            {
                var error = json.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
                if (error is "invalid_grant")
                {
                    var description = json.RootElement.TryGetProperty("error_description", out var d) ? d.GetString() : null;
                    return new SessionCheck(SessionVerdict.Ended, current, $"The provider ended the session: {description ?? error}");
                }

                LogProviderRefused(logger, (int)response.StatusCode, error);
                return new SessionCheck(SessionVerdict.Unknown, current, $"The provider answered {(int)response.StatusCode} {error}.");
            }

            // Straight from the provider's token endpoint over its TLS connection: OpenID Connect lets the client trust
            // these tokens without checking their signature (Core 1.0, 3.1.3.7).
            var token = json.RootElement.TryGetProperty("id_token", out var id) ? id.GetString()
                : json.RootElement.TryGetProperty("access_token", out var access) ? access.GetString() : null;
            if (token is null)
            {
                return new SessionCheck(SessionVerdict.Unknown, current, "The provider's answer carried no token.");
            }

            var fresh = roles.RolesFrom(new JsonWebToken(token).Claims);
            return fresh.SetEquals(current)
                ? new SessionCheck(SessionVerdict.Unchanged, current, "The session stands.")
                : fresh.Count == 0
                    ? new SessionCheck(SessionVerdict.Ended, fresh, "The user no longer holds any BatchOps role.")
                    : new SessionCheck(SessionVerdict.RolesChanged, fresh, $"Roles are now {string.Join(", ", fresh.Order(StringComparer.Ordinal))}.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Unreachable provider: nobody is signed out for the provider's outage; the next check asks again.
            LogProviderUnreachable(logger, e.Message);
            return new SessionCheck(SessionVerdict.Unknown, current, $"The provider could not be asked: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session check: the identity provider answered {Status} {Error}; the session keeps its roles until the next check")]
    private static partial void LogProviderRefused(ILogger logger, int status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session check: the identity provider could not be reached ({Reason}); the session keeps its roles until the next check")]
    private static partial void LogProviderUnreachable(ILogger logger, string reason);
}
