using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace BatchOps.Sandbox.Identity;

/// <summary>
/// The development identity provider: an OpenIddict server in the sandbox process, standing in for the company's
/// identity provider as the sandbox stands in for AWS. It looks like Microsoft Entra ID (issuer and endpoints under
/// <c>/{tenant}/...</c>, <c>tid</c>, <c>oid</c> and <c>roles</c> claims), so the dashboard signs in through the same
/// handlers and settings in sandbox mode as in production: authorization code with PKCE, a client secret, refresh
/// tokens. No database: keys are ephemeral (they last as long as the sandbox), and the few things a store would
/// remember (sessions, redeemed codes, which clients and redirect addresses are allowed) live in <see cref="SandboxDirectory"/>.
/// </summary>
public static class SandboxIdentityProvider
{
    public static string IssuerPath => $"/{SandboxDirectory.TenantId}/v2.0";
    private static string AuthorizePath => $"/{SandboxDirectory.TenantId}/oauth2/v2.0/authorize";
    private static string TokenPath => $"/{SandboxDirectory.TenantId}/oauth2/v2.0/token";
    private static string LogoutPath => $"/{SandboxDirectory.TenantId}/oauth2/v2.0/logout";
    private static string KeysPath => $"/{SandboxDirectory.TenantId}/discovery/v2.0/keys";
    private static string ConfigurationPath => $"/{SandboxDirectory.TenantId}/v2.0/.well-known/openid-configuration";

    /// <summary>The query parameter the sign-in page adds when a user is chosen.</summary>
    private const string UserParameter = "batchops_user";

    /// <param name="issuer">The issuer as browsers and the dashboard reach it; by default the sandbox's own address.</param>
    public static IServiceCollection AddSandboxIdentity(this IServiceCollection services, SandboxDirectory directory, Uri? issuer)
    {
        services.AddSingleton(directory);
        services.AddOpenIddict().AddServer(server =>
        {
            server.SetAuthorizationEndpointUris(AuthorizePath.TrimStart('/'))
                .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                .SetEndSessionEndpointUris(LogoutPath.TrimStart('/'))
                .SetJsonWebKeySetEndpointUris(KeysPath.TrimStart('/'))
                .SetConfigurationEndpointUris(ConfigurationPath.TrimStart('/'));
            server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
            server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess);
            // Keys for this run only. An AES key and an ECDSA P-256 key (ES256) are made in microseconds; OpenIddict's
            // ephemeral RSA keys took seconds each here, per sandbox, before the first request could be answered.
            server.AddEncryptionKey(new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))
                .AddSigningKey(new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256)) { KeyId = Guid.NewGuid().ToString("N") });
            // Bearer callers (the dashboard's API) read access tokens as signed JWTs, as Entra issues them.
            server.DisableAccessTokenEncryption();
            server.SetAccessTokenLifetime(TimeSpan.FromHours(1)).SetIdentityTokenLifetime(TimeSpan.FromHours(1)).SetRefreshTokenLifetime(TimeSpan.FromDays(1));
            server.EnableDegradedMode();
            server.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough()
                // Loopback http: the sandbox has no certificate.
                .DisableTransportSecurityRequirement();
            // Degraded mode has no application store: the checks it would make are ours.
            server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.ClientId != SandboxDirectory.DashboardClientId)
                {
                    context.Reject(Errors.InvalidClient, $"The sandbox's identity provider knows one client, '{SandboxDirectory.DashboardClientId}'.");
                }
                else if (!IsLoopback(context.RedirectUri))
                {
                    context.Reject(Errors.InvalidRequest, "The redirect_uri must be a loopback address (http://127.0.0.1, http://localhost or http://[::1]).");
                }

                return default;
            }));
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.ClientId != SandboxDirectory.DashboardClientId || context.ClientSecret != SandboxDirectory.DashboardClientSecret)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client or wrong client secret.");
                }

                return default;
            }));
            // A test may ask for a faulty id token: the client must refuse it.
            server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(b => b.UseInlineHandler(context =>
            {
                if (context.Response.IdToken is { } idToken && directory.TryTakeIdTokenFault(out var fault))
                {
                    var original = new JsonWebToken(idToken);
                    var claims = original.Claims
                        .Where(c => c.Type is not ("iss" or "aud" or "exp" or "iat" or "nbf"))
                        .GroupBy(c => c.Type)
                        .ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)g.First().Value : g.Select(c => c.Value).ToArray());
                    context.Response.IdToken = MintToken(
                        context.Options,
                        claims,
                        TimeProvider.System,
                        issuer: fault == IdTokenFault.WrongIssuer ? "https://login.example.com/someone-else/v2.0" : null,
                        audience: fault == IdTokenFault.WrongAudience ? "another-client" : null,
                        lifetime: fault == IdTokenFault.Expired ? TimeSpan.FromMinutes(-10) : null,
                        badSignature: fault == IdTokenFault.BadSignature,
                        tokenType: "JWT");
                }

                return default;
            }));
            server.AddEventHandler<OpenIddictServerEvents.ValidateEndSessionRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.PostLogoutRedirectUri is { } redirect && !IsLoopback(redirect))
                {
                    context.Reject(Errors.InvalidRequest, "The post_logout_redirect_uri must be a loopback address.");
                }

                return default;
            }));
        });
        // The issuer carries the tenant as Entra's does; the port is known only once the server listens.
        services.AddOptions<OpenIddictServerOptions>().Configure<IServer>((options, server) =>
            options.Issuer = issuer ?? new Uri(new Uri(server.Features.Get<IServerAddressesFeature>()!.Addresses.First()), IssuerPath));
        return services;
    }

    private static bool IsLoopback(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
        && parsed.Scheme is "http" or "https"
        && (parsed.IsLoopback || parsed.Host == "localhost");

    public static void MapSandboxIdentity(this WebApplication app)
    {
        app.MapMethods(AuthorizePath, ["GET", "POST"], AuthorizeAsync);
        app.MapPost(TokenPath, ExchangeAsync);
        app.MapMethods(LogoutPath, ["GET", "POST"], EndSessionAsync);
    }

    /// <summary>The sign-in page (the three users, the operator first); a chosen user is signed in.</summary>
    private static IResult AuthorizeAsync(HttpContext context, SandboxDirectory directory)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (directory.Find((string?)request.GetParameter(UserParameter)) is not { } user)
        {
            return Results.Content(SignInPage(context, directory), "text/html; charset=utf-8");
        }

        var sid = directory.StartSession(user);
        return Results.SignIn(Principal(user, sid, request.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Codes and refresh tokens are exchanged for tokens carrying the user's roles as they are now.</summary>
    private static async Task<IResult> ExchangeAsync(HttpContext context, SandboxDirectory directory)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var presented = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false)).Principal;
        if (presented is null)
        {
            return Refuse("The code or refresh token is not valid.");
        }

        if (request.IsAuthorizationCodeGrantType() && !directory.Redeem(request.Code!))
        {
            return Refuse("The authorization code was already redeemed.");
        }

        var sid = presented.GetClaim("sid");
        if (!directory.IsActive(sid))
        {
            return Refuse("The session has ended (signed out, or revoked by an administrator).");
        }

        if (directory.Find(presented.GetClaim("batchops_user")) is not { } user)
        {
            return Refuse("The user no longer exists.");
        }

        return Results.SignIn(Principal(user, sid!, presented.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Ends the session named by the id token hint, then returns to the client's post-logout address.</summary>
    private static async Task<IResult> EndSessionAsync(HttpContext context, SandboxDirectory directory)
    {
        var hint = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false)).Principal;
        directory.EndSession(hint?.GetClaim("sid"));
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static IResult Refuse(string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidGrant,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static ClaimsPrincipal Principal(SandboxUser user, string sid, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity("BatchOps.Sandbox", Claims.Name, "roles");
        identity.SetClaim(Claims.Subject, user.ObjectId)
            .SetClaim("oid", user.ObjectId)
            .SetClaim("tid", SandboxDirectory.TenantId)
            .SetClaim("ver", "2.0")
            .SetClaim(Claims.Name, user.DisplayName)
            .SetClaim(Claims.PreferredUsername, user.Email)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim("sid", sid)
            .SetClaim("batchops_user", user.Name)
            .SetClaims("roles", [.. user.Roles]);
        identity.SetScopes(scopes);
        identity.SetAudiences(SandboxDirectory.DashboardClientId);
        identity.SetDestinations(claim => claim.Type switch
        {
            // The user's directory name is the provider's own business (it finds the user again on refresh).
            "batchops_user" => [],
            _ => [Destinations.AccessToken, Destinations.IdentityToken],
        });
        return new ClaimsPrincipal(identity);
    }

    /// <summary>An access token for <paramref name="user"/> as the provider signs them, for scripts of the bearer API.</summary>
    public static string MintAccessToken(OpenIddictServerOptions options, SandboxUser user, TimeProvider time, string? issuer = null, string? audience = null, TimeSpan? lifetime = null, bool badSignature = false) =>
        MintToken(
            options,
            new Dictionary<string, object>
            {
                [Claims.Subject] = user.ObjectId,
                ["oid"] = user.ObjectId,
                ["tid"] = SandboxDirectory.TenantId,
                // v2.0 tokens name the client id as audience (Microsoft.Identity.Web reads ver to know which to expect).
                ["ver"] = "2.0",
                [Claims.Name] = user.DisplayName,
                [Claims.PreferredUsername] = user.Email,
                ["roles"] = user.Roles.ToArray(),
            },
            time,
            issuer,
            audience,
            lifetime,
            badSignature,
            "at+jwt");

    /// <summary>
    /// A token signed with the provider's key, or faulty on request: another issuer or audience, already expired, or
    /// signed by a key the provider never published (same key id, so the client must check the signature itself).
    /// </summary>
    public static string MintToken(OpenIddictServerOptions options, IDictionary<string, object> claims, TimeProvider time, string? issuer, string? audience, TimeSpan? lifetime, bool badSignature, string tokenType)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        var signing = options.SigningCredentials[0];
        if (badSignature)
        {
            var impostor = new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256)) { KeyId = signing.Key.KeyId };
            signing = new SigningCredentials(impostor, signing.Algorithm);
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? options.Issuer!.AbsoluteUri,
            Audience = audience ?? SandboxDirectory.DashboardClientId,
            IssuedAt = expires < now ? expires.AddMinutes(-5) : now,
            NotBefore = expires < now ? expires.AddMinutes(-5) : now,
            Expires = expires,
            SigningCredentials = signing,
            TokenType = tokenType,
            Claims = claims,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string SignInPage(HttpContext context, SandboxDirectory directory)
    {
        var encoder = HtmlEncoder.Default;
        var query = context.Request.HasFormContentType
            ? QueryString.Create(context.Request.Form.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString())))
            : context.Request.QueryString;
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in · BatchOps sandbox</title>")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1b1b1f}")
            .Append("a.user{display:block;padding:.9rem 1rem;margin:.6rem 0;border:1px solid #8a8a96;border-radius:6px;color:inherit;text-decoration:none}")
            .Append("a.user:hover,a.user:focus{border-color:#3f51b5;outline:2px solid #3f51b5}small{color:#4a4a55}</style></head><body>")
            .Append("<h1>Sign in to BatchOps</h1><p>The sandbox's identity provider: choose a test user. Each holds one app role.</p><nav aria-label=\"Test users\">");
        foreach (var user in directory.Users)
        {
            var href = context.Request.PathBase + context.Request.Path + query.Add(UserParameter, user.Name);
            html.Append("<a class=\"user\" data-user=\"").Append(encoder.Encode(user.Name)).Append("\" href=\"").Append(encoder.Encode(href)).Append("\">")
                .Append("<strong>").Append(encoder.Encode(user.Name)).Append("</strong> · ").Append(encoder.Encode(user.DisplayName))
                .Append("<br><small>").Append(encoder.Encode(string.Join(", ", user.Roles))).Append("</small></a>");
        }

        html.Append("</nav></body></html>");
        return html.ToString();
    }

    /// <summary>
    /// The admin API's identity routes: <c>GET identity/users</c>; <c>PUT identity/users/{name}/roles</c> with
    /// ["BatchOps.Viewer"]; <c>POST identity/users/{name}/sign-out</c> (ends their sessions);
    /// <c>POST identity/tokens</c> {"user":"operator"} (an access token for the dashboard's API; tests may ask for a
    /// wrong "issuer" or "audience", a negative "lifetimeSeconds" or "badSignature"); <c>POST identity/id-token-faults</c>
    /// {"fault":"WrongIssuer"} (the next id token issued is faulty).
    /// </summary>
    public static void MapSandboxIdentityAdmin(this RouteGroupBuilder admin, TimeProvider time)
    {
        var identity = admin.MapGroup("/identity");
        identity.MapGet("/users", (SandboxDirectory directory) => Results.Ok(directory.Users));
        identity.MapPut("/users/{name}/roles", (string name, string[]? roles, SandboxDirectory directory) =>
            directory.Find(name) is not { } user ? UnknownUser(name)
            : roles is null || roles.Any(r => !SandboxDirectory.KnownRoles.Contains(r)) ? Results.BadRequest(new { message = $"Expected a JSON array of app roles, each one of {string.Join(", ", SandboxDirectory.KnownRoles)}." })
            : Results.Ok(directory.SetRoles(user, roles)));
        identity.MapPost("/users/{name}/sign-out", (string name, SandboxDirectory directory) =>
            directory.Find(name) is not { } user ? UnknownUser(name) : Results.Ok(new { ended = directory.EndSessions(user) }));
        identity.MapPost("/id-token-faults", (IdTokenFaultRequest? request, SandboxDirectory directory) =>
        {
            if (request is null)
            {
                return Results.BadRequest(new { message = "Expected {\"fault\":\"BadSignature|WrongIssuer|WrongAudience|Expired\"}." });
            }

            directory.EnqueueIdTokenFault(request.Fault);
            return Results.Ok(request);
        });
        identity.MapPost("/tokens", (TokenRequest? request, SandboxDirectory directory, Microsoft.Extensions.Options.IOptionsMonitor<OpenIddictServerOptions> options) =>
            request is null || directory.Find(request.User) is not { } user
                ? Results.BadRequest(new { message = $"Expected {{\"user\":\"operator\"}} naming one of: {string.Join(", ", directory.Users.Select(u => u.Name))}." })
                : Results.Ok(new
                {
                    access_token = MintAccessToken(options.CurrentValue, user, time, request.Issuer, request.Audience, request.LifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, request.BadSignature),
                    token_type = "Bearer",
                }));
    }

    private static IResult UnknownUser(string name) => Results.NotFound(new { message = $"No test user '{name}': the sandbox's users are operator, viewer and admin." });

    private sealed record TokenRequest(string? User, string? Issuer = null, string? Audience = null, int? LifetimeSeconds = null, bool BadSignature = false);

    private sealed record IdTokenFaultRequest(IdTokenFault Fault);
}
