using System.Security.Claims;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace BatchOps.Dashboard.Features.Auth;

/// <summary>
/// Sign-in and roles. Operators sign in at the company's identity provider (Microsoft Entra ID through
/// Microsoft.Identity.Web, or any OpenID Connect provider; in sandbox mode the sandbox's development provider), by
/// authorization code with PKCE, into a cookie session. Scripts call the API with the same provider's bearer tokens.
/// The dashboard's roles come from the provider's claims (<see cref="RoleMapping"/>), and the policies below guard
/// every page, endpoint and action service.
/// </summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>Picks cookie or bearer per request: a request with a bearer token is the API's; anything else has a session.</summary>
    private const string SessionOrBearerScheme = "BatchOps.SessionOrBearer";

    /// <summary>Pages challenge at the provider (a redirect); the API answers 401 with a problem document.</summary>
    private const string ChallengeScheme = "BatchOps.Challenge";

    private const string ForbidScheme = "BatchOps.Forbid";

    private const string SignInFirst = "Send a bearer token from the dashboard's identity provider (Authorization: Bearer <token>), or call from a signed-in browser session.";

    public static IServiceCollection AddBatchOpsAuth(this IServiceCollection services, IConfiguration configuration, DashboardMode mode)
    {
        var provider = SignInProvider.Resolve(configuration, mode);
        var oidc = configuration.GetSection(OidcOptions.SectionName).Get<OidcOptions>() ?? new OidcOptions();
        services.AddSingleton(provider);
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RoleMapping>();
        services.AddSingleton<ProviderSessionCheck>();
        services.AddHttpClient(nameof(ProviderSessionCheck), http => http.Timeout = TimeSpan.FromSeconds(10));

        var authentication = services.AddAuthentication(o =>
        {
            o.DefaultScheme = SessionOrBearerScheme;
            o.DefaultChallengeScheme = ChallengeScheme;
            o.DefaultForbidScheme = ForbidScheme;
            o.DefaultSignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.DefaultSignOutScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        })
            .AddPolicyScheme(SessionOrBearerScheme, null, o => o.ForwardDefaultSelector = c => HasBearer(c) ? JwtBearerDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddPolicyScheme(ChallengeScheme, null, o => o.ForwardDefaultSelector = c => IsApi(c) ? JwtBearerDefaults.AuthenticationScheme : OpenIdConnectDefaults.AuthenticationScheme)
            .AddPolicyScheme(ForbidScheme, null, o => o.ForwardDefaultSelector = c => IsApi(c) ? JwtBearerDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme);

        if (provider.Kind == SignInProviderKind.Entra)
        {
            // Microsoft.Identity.Web registers the cookie and OpenID Connect schemes for the web app, and JwtBearer with
            // Entra's issuer validation for the API; what is common to both providers is configured below.
            authentication.AddMicrosoftIdentityWebApp(configuration.GetSection(SignInProvider.AzureAdSection), OpenIdConnectDefaults.AuthenticationScheme, CookieAuthenticationDefaults.AuthenticationScheme);
            authentication.AddMicrosoftIdentityWebApi(configuration.GetSection(SignInProvider.AzureAdSection), JwtBearerDefaults.AuthenticationScheme);
        }
        else
        {
            authentication.AddCookie().AddOpenIdConnect(o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.Scope.Clear();
                foreach (var scope in oidc.Scopes)
                {
                    o.Scope.Add(scope);
                }
            }).AddJwtBearer(o =>
            {
                o.Authority = oidc.Authority;
                o.TokenValidationParameters.ValidAudiences = [oidc.Audience ?? oidc.ClientId!, $"api://{oidc.ClientId}"];
            });
        }

        var nameClaim = oidc.NameClaim;
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>>((o, auth) => ConfigureSession(o, auth.Value, provider));
        // Plain http metadata must be allowed before the handlers' own post-configuration checks it.
        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme).Configure(o => o.RequireHttpsMetadata = !provider.Loopback);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure(o => o.RequireHttpsMetadata = !provider.Loopback);
        if (provider is { Kind: SignInProviderKind.Entra, Loopback: true })
        {
            // Entra's issuer validator reads its own copy of the metadata, over https only: an Entra-shaped provider on
            // loopback http (the sandbox's) is named as the valid issuer instead. Real Entra (https) needs nothing.
            services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme).PostConfigure(o => o.TokenValidationParameters.ValidIssuers = [provider.Authority]);
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).PostConfigure(o => o.TokenValidationParameters.ValidIssuers = [provider.Authority]);
        }

        // Services the handlers' events need are taken from the request: resolving them while options are built would tie
        // the options' construction to theirs.
        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme).PostConfigure(o => ConfigureSignIn(o, provider, nameClaim));
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).PostConfigure(o => ConfigureBearer(o, nameClaim));

        services.AddAuthorizationBuilder()
            .AddPolicy(BatchOpsPolicies.View, p => p.RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Viewer, BatchOpsRoles.Operator, BatchOpsRoles.Admin))
            .AddPolicy(BatchOpsPolicies.Operate, p => p.RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Operator, BatchOpsRoles.Admin))
            .AddPolicy(BatchOpsPolicies.Administer, p => p.RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(BatchOpsRoles.Viewer, BatchOpsRoles.Operator, BatchOpsRoles.Admin).Build());
        services.AddCascadingAuthenticationState();
        // Open pages check their session with the provider as the cookie does (the circuit never reads the cookie again).
        services.AddScoped<AuthenticationStateProvider, CircuitSessionRevalidation>();
        services.AddScoped<IHostEnvironmentAuthenticationStateProvider>(sp => (ServerAuthenticationStateProvider)sp.GetRequiredService<AuthenticationStateProvider>());
        return services;
    }

    private static bool HasBearer(HttpContext context) =>
        context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool IsApi(HttpContext context) =>
        HasBearer(context) || context.Request.Path.StartsWithSegments(DashboardUrls.ApiPath, StringComparison.Ordinal);

    /// <summary>The session cookie: HttpOnly, SameSite=Lax, Secure (plain http only with the sandbox's loopback provider), sliding within an absolute lifetime.</summary>
    private static void ConfigureSession(CookieAuthenticationOptions o, AuthOptions auth, SignInProvider provider)
    {
        o.LoginPath = DashboardUrls.SignInPath;
        o.Cookie.Name = "batchops.session";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = provider.Loopback ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        o.SlidingExpiration = true;
        o.ExpireTimeSpan = auth.IdleTimeout;
        // Sessions last in real time, even when the dashboard's "now" follows a faster sandbox clock.
        o.TimeProvider = TimeProvider.System;
        o.Events.OnRedirectToLogin = context => ApiStatusOrRedirect(context, StatusCodes.Status401Unauthorized);
        o.Events.OnRedirectToAccessDenied = context => ApiStatusOrRedirect(context, StatusCodes.Status403Forbidden);
        o.Events.OnValidatePrincipal = ValidateSessionAsync;
    }

    /// <summary>Every request: past the absolute lifetime the session ends; every RevalidationInterval the provider is asked.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var sessions = services.GetRequiredService<ProviderSessionCheck>();
        var interval = services.GetRequiredService<IOptions<AuthOptions>>().Value.RevalidationInterval;
        var now = TimeProvider.System.GetUtcNow();
        const string checkedKey = "batchops.checked";
        if (context.Principal is null)
        {
            return;
        }

        if (sessions.IsPastAbsoluteLifetime(context.Principal, now))
        {
            await EndAsync(context).ConfigureAwait(false);
            return;
        }

        if (context.Properties.Items.TryGetValue(checkedKey, out var last) && DateTimeOffset.TryParse(last, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) && now - at < interval)
        {
            return;
        }

        var result = await sessions.CheckAsync(context.Principal, now, context.HttpContext.RequestAborted).ConfigureAwait(false);
        switch (result.Verdict)
        {
            case SessionVerdict.Ended:
                await EndAsync(context).ConfigureAwait(false);
                return;
            case SessionVerdict.RolesChanged:
                context.ReplacePrincipal(RoleMapping.WithRoles(context.Principal, result.Roles));
                break;
        }

        context.Properties.Items[checkedKey] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        context.ShouldRenew = true;
    }

    private static async Task EndAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
    }

    /// <summary>Code flow with PKCE for either provider; the provider's claims become the session's roles.</summary>
    private static void ConfigureSignIn(OpenIdConnectOptions o, SignInProvider provider, string nameClaim)
    {
        // Tokens, correlation and nonce expire on the wall clock: the application's TimeProvider may be a sandbox's
        // faster clock, against which a fresh id token would already look expired.
        o.TimeProvider = TimeProvider.System;
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.UsePkce = true;
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = false;
        // Only the id token is kept (the provider's sign-out needs it as a hint); the refresh token rides, encrypted, in a claim.
        o.SaveTokens = false;
        o.SignedOutRedirectUri = DashboardUrls.SignedOutPath;
        o.TokenValidationParameters.NameClaimType = nameClaim;
        o.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
        if (!o.Scope.Contains("offline_access"))
        {
            o.Scope.Add("offline_access");
        }

        if (provider.Loopback)
        {
            // The sandbox's provider on loopback http: metadata without TLS, and correlation and nonce cookies that a
            // browser keeps without https (same site: both are 127.0.0.1).
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        var validated = o.Events.OnTokenValidated;
        o.Events.OnTokenValidated = async context =>
        {
            await validated(context).ConfigureAwait(false);
            if (context.Principal is null)
            {
                return;
            }

            var services = context.HttpContext.RequestServices;
            var sessions = services.GetRequiredService<ProviderSessionCheck>();
            context.Principal = services.GetRequiredService<RoleMapping>().Map(
                context.Principal,
                CookieAuthenticationDefaults.AuthenticationScheme,
                nameClaim,
                sessions.SessionClaims(context.TokenEndpointResponse?.RefreshToken, TimeProvider.System.GetUtcNow()));
            if (context.TokenEndpointResponse?.IdToken is { } idToken)
            {
                context.Properties!.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
            }
        };
        var failed = o.Events.OnRemoteFailure;
        o.Events.OnRemoteFailure = async context =>
        {
            await failed(context).ConfigureAwait(false);
            if (context.Result is not null)
            {
                return;
            }

            // A refused sign-in (bad token, replayed or missing state, nonce mismatch...) says why, not a stack trace.
            context.Response.Redirect(DashboardUrls.SignInFailed(context.Failure?.Message ?? "The identity provider refused the sign-in."));
            context.HandleResponse();
        };
    }

    /// <summary>Bearer tokens for the API: the same provider, audience and roles; failures are problem documents that say why.</summary>
    private static void ConfigureBearer(JwtBearerOptions o, string nameClaim)
    {
        // Expiry on the wall clock, as for sign-in (the application's clock may run faster in sandbox mode).
        o.TimeProvider = TimeProvider.System;
        o.MapInboundClaims = false;
        o.TokenValidationParameters.NameClaimType = nameClaim;
        o.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
        var validated = o.Events?.OnTokenValidated;
        o.Events ??= new JwtBearerEvents();
        o.Events.OnTokenValidated = async context =>
        {
            if (validated is not null)
            {
                await validated(context).ConfigureAwait(false);
            }

            if (context.Principal is not null)
            {
                context.Principal = context.HttpContext.RequestServices.GetRequiredService<RoleMapping>().Map(context.Principal, JwtBearerDefaults.AuthenticationScheme, nameClaim);
            }
        };
        o.Events.OnChallenge = async context =>
        {
            context.HandleResponse();
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var detail = context.AuthenticateFailure is { } failure ? DescribeRefusal(failure) : context.ErrorDescription;
            await WriteProblemAsync(context.Response, StatusCodes.Status401Unauthorized, "Sign in first",
                detail is null ? SignInFirst : $"The bearer token was refused: {detail}").ConfigureAwait(false);
        };
        o.Events.OnForbidden = context => WriteProblemAsync(context.Response, StatusCodes.Status403Forbidden, "Not allowed", "Your roles do not allow this.");
    }

    /// <summary>Why a bearer token was refused, in words (the handler's messages carry codes and hidden PII placeholders).</summary>
    public static string DescribeRefusal(Exception failure) => failure switch
    {
        Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "it has expired.",
        Microsoft.IdentityModel.Tokens.SecurityTokenNotYetValidException => "it is not valid yet.",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException or Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException => "its signature does not match the identity provider's keys.",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException => "it was issued by another issuer than the dashboard's identity provider.",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException => "it was issued for another audience than the dashboard.",
        Microsoft.IdentityModel.Tokens.SecurityTokenMalformedException or ArgumentException => "it is not a well-formed JWT.",
        _ => "it could not be validated (the dashboard's log says why).",
    };

    public static IEndpointRouteBuilder MapBatchOpsAuth(this IEndpointRouteBuilder endpoints)
    {
        // Sign-in starts at the provider and comes back to where the user was going.
        endpoints.MapGet(DashboardUrls.SignInPath, (string? returnUrl) =>
            Results.Challenge(new AuthenticationProperties { RedirectUri = DashboardUrls.SafeReturnUrl(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitOptions.SignInPolicy);
        // Sign-out ends the session here and at the provider; a POST with an antiforgery token, so no page elsewhere can do it.
        endpoints.MapPost(DashboardUrls.SignOutPath, (HttpContext http) =>
            // The antiforgery middleware only marks the request; an endpoint that binds no form must refuse it itself.
            http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is not { IsValid: true }
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-out refused", detail: "Sign out with the dashboard's Sign out button: the request carried no valid antiforgery token.")
                : Results.SignOut(new AuthenticationProperties { RedirectUri = DashboardUrls.SignedOutPath }, [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]))
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .AllowAnonymous();
        return endpoints;
    }

    private static Task ApiStatusOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (status == StatusCodes.Status403Forbidden && !IsApi(context.HttpContext))
        {
            // A signed-in user without the role: say so with a 403 page (status-code re-execution), not a redirect to a page that does not exist.
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        if (IsApi(context.HttpContext))
        {
            return WriteProblemAsync(context.Response, status, status == StatusCodes.Status401Unauthorized ? "Sign in first" : "Not allowed",
                status == StatusCodes.Status401Unauthorized ? SignInFirst : "Your roles do not allow this.");
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task WriteProblemAsync(HttpResponse response, int status, string title, string detail)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(
            new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail },
            options: null,
            contentType: "application/problem+json");
    }
}
