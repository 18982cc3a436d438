using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Auth;

/// <summary>
/// Turns what the provider says about a user (app roles, groups) into the dashboard's roles, and builds the identity
/// the session and the API run with: its name from the display-name claim, its roles as <see cref="ClaimTypes.Role"/>.
/// Every sign-in path (Entra, any OIDC provider, bearer tokens, session checks) goes through here.
/// </summary>
public sealed class RoleMapping(IOptions<AuthOptions> options)
{
    /// <summary>Holds the provider's refresh token, encrypted (the session checks redeem it).</summary>
    public const string RefreshTokenClaim = "batchops:refresh_token";

    /// <summary>When the user signed in at the provider (Unix seconds): the absolute lifetime counts from here.</summary>
    public const string SignedInAtClaim = "batchops:signed_in_at";

    public IReadOnlySet<string> RolesFrom(IEnumerable<Claim> claims)
    {
        var map = options.Value.RoleMap;
        var roleClaim = options.Value.RoleClaim;
        return claims
            // Some handlers rename "roles" to ClaimTypes.Role on the way in; ours are mapped below, never trusted as is.
            .Where(c => c.Type == roleClaim || (roleClaim == "roles" && c.Type == ClaimTypes.Role && c.Issuer != ClaimsIdentity.DefaultIssuer))
            .Select(c => map.TryGetValue(c.Value, out var role) ? role : null)
            .OfType<string>()
            .Where(r => r is BatchOpsRoles.Viewer or BatchOpsRoles.Operator or BatchOpsRoles.Admin)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The principal to keep: the provider's claims, a display name, and the mapped roles only.</summary>
    public ClaimsPrincipal Map(ClaimsPrincipal provided, string authenticationType, string nameClaim, IEnumerable<Claim>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(provided);
        var claims = provided.Claims.Where(c => c.Type != ClaimTypes.Role).ToList();
        var roles = RolesFrom(provided.Claims);
        if (!claims.Any(c => c.Type == nameClaim))
        {
            var fallback = claims.FirstOrDefault(c => c.Type is "preferred_username" or "email" or "upn" or "sub" or ClaimTypes.NameIdentifier);
            if (fallback is not null)
            {
                claims.Add(new Claim(nameClaim, fallback.Value));
            }
        }

        var identity = new ClaimsIdentity(claims, authenticationType, nameClaim, ClaimTypes.Role);
        identity.AddClaims(roles.Select(r => new Claim(ClaimTypes.Role, r, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer)));
        if (extra is not null)
        {
            identity.AddClaims(extra);
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The same user holding <paramref name="roles"/> instead (a session check saw them change).</summary>
    public static ClaimsPrincipal WithRoles(ClaimsPrincipal user, IReadOnlySet<string> roles)
    {
        ArgumentNullException.ThrowIfNull(user);
        var current = user.Identity as ClaimsIdentity ?? new ClaimsIdentity();
        var identity = new ClaimsIdentity(current.Claims.Where(c => c.Type != ClaimTypes.Role), current.AuthenticationType, current.NameClaimType, ClaimTypes.Role);
        identity.AddClaims(roles.Select(r => new Claim(ClaimTypes.Role, r, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer)));
        return new ClaimsPrincipal(identity);
    }

    public static IReadOnlySet<string> RolesOf(ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
}
