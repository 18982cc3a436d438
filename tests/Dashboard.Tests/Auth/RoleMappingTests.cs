using System.Security.Claims;
using BatchOps.Dashboard.Features.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Tests.Auth;

/// <summary>How a provider's claims become the dashboard's roles, and when a session is too old.</summary>
public sealed class RoleMappingTests
{
    [Fact]
    public void Entra_app_roles_map_by_default_and_unknown_values_or_forged_local_roles_give_nothing()
    {
        var mapping = new RoleMapping(Options.Create(new AuthOptions()));
        var provided = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim("name", "Ada Admin"),
                new Claim("roles", "BatchOps.Operator"),
                new Claim("roles", "Finance.Approver"),
                // A provider claim that already says "Admin" is not a mapped role: only RoleMap decides.
                new Claim(ClaimTypes.Role, "Admin", ClaimValueTypes.String, "https://login.example.com"),
            ],
            "oidc"));

        var user = mapping.Map(provided, "Cookies", "name");

        Assert.Equal("Ada Admin", user.Identity!.Name);
        Assert.Equal(["Operator"], RoleMapping.RolesOf(user));
        Assert.True(user.IsInRole(BatchOpsRoles.Operator));
        Assert.False(user.IsInRole(BatchOpsRoles.Admin));
    }

    [Fact]
    public void Groups_of_another_provider_map_through_the_configured_claim_and_the_name_falls_back_to_the_username()
    {
        var mapping = new RoleMapping(Options.Create(new AuthOptions
        {
            RoleClaim = "groups",
            RoleMap = new(StringComparer.Ordinal) { ["ops-admins"] = "Admin", ["ops-viewers"] = "Viewer", ["typo"] = "Superuser" },
        }));
        var provided = new ClaimsPrincipal(new ClaimsIdentity([new Claim("preferred_username", "ada@example.com"), new Claim("groups", "ops-admins"), new Claim("groups", "typo"), new Claim("roles", "BatchOps.Operator")], "oidc"));

        var user = mapping.Map(provided, "Cookies", "name");

        Assert.Equal("ada@example.com", user.Identity!.Name);
        Assert.Equal(["Admin"], RoleMapping.RolesOf(user));
    }

    [Fact]
    public void A_session_ends_its_absolute_lifetime_after_sign_in_however_active()
    {
        var options = Options.Create(new AuthOptions { AbsoluteLifetime = TimeSpan.FromHours(12) });
        var check = new ProviderSessionCheck(null!, null!, new EphemeralDataProtectionProvider(), new RoleMapping(options), options, NullLogger<ProviderSessionCheck>.Instance);
        var signedIn = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        var user = new ClaimsPrincipal(new ClaimsIdentity(check.SessionClaims("refresh", signedIn), "Cookies"));

        Assert.False(check.IsPastAbsoluteLifetime(user, signedIn.AddHours(12)));
        Assert.True(check.IsPastAbsoluteLifetime(user, signedIn.AddHours(12).AddSeconds(1)));
        // The refresh token is never kept in the clear.
        Assert.DoesNotContain(user.Claims, c => c.Value == "refresh");
    }
}
