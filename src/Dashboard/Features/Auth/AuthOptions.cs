using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Features.Auth;

/// <summary>The <c>Auth</c> section: how provider claims become the dashboard's roles, and how long sessions last.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The claim holding the user's roles or groups: Entra app roles arrive as <c>roles</c>; Keycloak or Okta may use <c>groups</c>.</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>
    /// Claim value → dashboard role (Viewer, Operator or Admin). Entra's app role names by default; map group names or ids
    /// for other providers (Auth:RoleMap:batchops-admins=Admin). Values not listed give no role.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal)
    {
        ["BatchOps.Viewer"] = BatchOpsRoles.Viewer,
        ["BatchOps.Operator"] = BatchOpsRoles.Operator,
        ["BatchOps.Admin"] = BatchOpsRoles.Admin,
    };

    /// <summary>A session ends this long after sign-in, however active (the sliding window cannot stretch it).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A session unused this long ends (sliding).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a session (and every open page's circuit) asks the provider whether it still stands and with which roles.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The <c>Oidc</c> section: any OpenID Connect provider other than Entra ID (Cognito, Okta, Keycloak, Google Workspace;
/// the sandbox's development provider). Authorization code flow with PKCE and a client secret.
/// </summary>
public sealed class OidcOptions
{
    public const string SectionName = "Oidc";

    /// <summary>The issuer URL (its /.well-known/openid-configuration is read). https, except on loopback.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for; offline_access gives the refresh token the session checks use.</summary>
    public string[] Scopes { get; set; } = ["openid", "profile", "email", "offline_access"];

    /// <summary>The audience bearer tokens for the API must carry; the client id by default.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim with the user's display name.</summary>
    public string NameClaim { get; set; } = "name";
}
