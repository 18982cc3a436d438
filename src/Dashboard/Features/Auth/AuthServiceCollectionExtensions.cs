using System.Security.Claims;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace BatchOps.Dashboard.Features.Auth;

/// <summary>
/// Cookie sessions and role policies. Sign-in is behind one seam (the cookie's login path): the local operator in
/// sandbox mode today; the OpenID Connect handler (AzureAd section) plugs in at the same place.
/// </summary>
public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddBatchOpsAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, DashboardMode mode)
    {
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (mode == DashboardMode.Sandbox)
        {
            auth.LocalOperator = true;
        }
        else if (!auth.LocalOperator || !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "AWS mode needs a sign-in. OpenID Connect (the AzureAd section) is not available in this build yet; "
                + "to try AWS mode on your own machine run in the Development environment with Auth:LocalOperator=true.");
        }

        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(auth));
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = DashboardUrls.LocalSignInPath;
                o.Cookie.Name = "batchops.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(BatchOpsPolicies.View, p => p.RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Viewer, BatchOpsRoles.Operator, BatchOpsRoles.Admin))
            .AddPolicy(BatchOpsPolicies.Operate, p => p.RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Operator, BatchOpsRoles.Admin))
            .AddPolicy(BatchOpsPolicies.Administer, p => p.RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Viewer, BatchOpsRoles.Operator, BatchOpsRoles.Admin).Build());
        services.AddCascadingAuthenticationState();
        return services;
    }

    public static IEndpointRouteBuilder MapBatchOpsAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DashboardUrls.LocalSignInPath, async (HttpContext http, string? returnUrl, Microsoft.Extensions.Options.IOptions<AuthOptions> options) =>
        {
            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, options.Value.LocalOperatorName),
                    new Claim(ClaimTypes.NameIdentifier, options.Value.LocalOperatorName),
                    new Claim(ClaimTypes.Role, BatchOpsRoles.Viewer),
                    new Claim(ClaimTypes.Role, BatchOpsRoles.Operator),
                    new Claim(ClaimTypes.Role, BatchOpsRoles.Admin),
                ],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.LocalRedirect(DashboardUrls.SafeReturnUrl(returnUrl));
        }).AllowAnonymous();
        endpoints.MapPost(DashboardUrls.SignOutPath, async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(DashboardUrls.OverviewPath);
        });
        return endpoints;
    }
}
