using System.Security.Claims;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

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
                // Sessions last in real time, even when the dashboard's "now" follows a faster sandbox clock.
                o.TimeProvider = TimeProvider.System;
                // Scripts calling the API get a status code, not the sign-in page.
                o.Events.OnRedirectToLogin = context => ApiStatusOrRedirect(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => ApiStatusOrRedirect(context, StatusCodes.Status403Forbidden);
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
        // The local operator holds every role; `?as=Viewer` or `?as=Operator` signs in again holding only that role's
        // rights, for trying the roles out. The server enforces the session's roles, so this shows exactly what a
        // Viewer or an Operator may do.
        endpoints.MapGet(DashboardUrls.LocalSignInPath, async (HttpContext http, string? returnUrl, [FromQuery(Name = "as")] string? role, IOptions<AuthOptions> options) =>
        {
            role ??= BatchOpsRoles.Admin;
            if (role is not (BatchOpsRoles.Viewer or BatchOpsRoles.Operator or BatchOpsRoles.Admin))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown role", detail: $"'{role}' is not one of Viewer, Operator, Admin.");
            }

            await SignInLocalOperatorAsync(http, options.Value, role);
            return Results.LocalRedirect(DashboardUrls.SafeReturnUrl(returnUrl));
        }).AllowAnonymous();
        endpoints.MapPost(DashboardUrls.SignOutPath, async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(DashboardUrls.OverviewPath);
        });
        return endpoints;
    }

    /// <summary>The roles a role implies: an Admin is also an Operator and a Viewer; an Operator also a Viewer.</summary>
    public static IReadOnlyList<string> RolesUpTo(string role) => role switch
    {
        BatchOpsRoles.Admin => [BatchOpsRoles.Viewer, BatchOpsRoles.Operator, BatchOpsRoles.Admin],
        BatchOpsRoles.Operator => [BatchOpsRoles.Viewer, BatchOpsRoles.Operator],
        _ => [BatchOpsRoles.Viewer],
    };

    private static Task SignInLocalOperatorAsync(HttpContext http, AuthOptions options, string role)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, options.LocalOperatorName),
                new Claim(ClaimTypes.NameIdentifier, options.LocalOperatorName),
                .. RolesUpTo(role).Select(r => new Claim(ClaimTypes.Role, r)),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static Task ApiStatusOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (status == StatusCodes.Status403Forbidden && !context.Request.Path.StartsWithSegments(DashboardUrls.ApiPath, StringComparison.Ordinal))
        {
            // A signed-in user without the role: say so with a 403 page (status-code re-execution), not a redirect to a page that does not exist.
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        if (context.Request.Path.StartsWithSegments(DashboardUrls.ApiPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsJsonAsync(
                new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = status,
                    Title = status == StatusCodes.Status401Unauthorized ? "Sign in first" : "Not allowed",
                    Detail = status == StatusCodes.Status401Unauthorized
                        ? $"The API needs a session: in sandbox mode GET {DashboardUrls.LocalSignInPath} once with a cookie jar (see the README)."
                        : "Your roles do not allow this.",
                },
                options: null,
                contentType: "application/problem+json");
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
