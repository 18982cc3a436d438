using BatchOps.Dashboard.Features.Sandbox;

namespace BatchOps.Dashboard.Features.Auth;

public enum SignInProviderKind
{
    /// <summary>Microsoft Entra ID through Microsoft.Identity.Web (the <c>AzureAd</c> section).</summary>
    Entra,

    /// <summary>Any other OpenID Connect provider through the OpenIdConnect and JwtBearer handlers (the <c>Oidc</c> section).</summary>
    Oidc,
}

/// <summary>
/// Which identity provider signs operators in: exactly one of the <c>AzureAd</c> and <c>Oidc</c> sections. In sandbox
/// mode with neither, the sandbox's development provider (an <c>Oidc</c> section pointing at it). Anything else stops
/// the start with a message naming the settings to add.
/// </summary>
public sealed record SignInProvider(SignInProviderKind Kind, string Authority, bool Loopback)
{
    public const string AzureAdSection = "AzureAd";

    /// <summary>The sandbox's development provider: its tenant and the dashboard's client registration (loopback only).</summary>
    public const string SandboxTenantId = "8f0c6a3e-5b1d-4c2a-9e7f-0a1b2c3d4e5f";

    public const string SandboxClientId = "batchops-dashboard";

    public const string SandboxClientSecret = "batchops-sandbox-secret";

    public static IEnumerable<KeyValuePair<string, string?>> SandboxSettings(Uri sandbox) =>
    [
        new("Oidc:Authority", new Uri(sandbox, $"/{SandboxTenantId}/v2.0").AbsoluteUri),
        new("Oidc:ClientId", SandboxClientId),
        new("Oidc:ClientSecret", SandboxClientSecret),
    ];

    private static readonly string[] EntraSettings = ["Instance", "TenantId", "ClientId"];
    private static readonly string[] OidcSettings = ["Authority", "ClientId", "ClientSecret"];

    public static SignInProvider Resolve(IConfiguration configuration, DashboardMode mode)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var azureAd = configuration.GetSection(AzureAdSection);
        var oidc = configuration.GetSection(OidcOptions.SectionName);
        var entraSet = azureAd["ClientId"] is { Length: > 0 } || azureAd["TenantId"] is { Length: > 0 };
        var oidcSet = oidc["Authority"] is { Length: > 0 } || oidc["ClientId"] is { Length: > 0 };
        if (entraSet && oidcSet)
        {
            throw new InvalidOperationException("Sign-in: configure exactly one identity provider, the AzureAd section (Microsoft Entra ID) or the Oidc section (any other OpenID Connect provider), not both.");
        }

        if (entraSet)
        {
            var missing = EntraSettings.Where(k => azureAd[k] is not { Length: > 0 }).Select(k => $"AzureAd:{k}").ToList();
            if (azureAd["ClientSecret"] is not { Length: > 0 } && !azureAd.GetSection("ClientCertificates").GetChildren().Any())
            {
                missing.Add("AzureAd:ClientSecret (or AzureAd:ClientCertificates)");
            }

            Require(missing);
            var authority = new Uri(new Uri(azureAd["Instance"]!.TrimEnd('/') + "/"), azureAd["TenantId"] + "/v2.0");
            return new SignInProvider(SignInProviderKind.Entra, authority.AbsoluteUri, CheckScheme(authority, "AzureAd:Instance"));
        }

        if (oidcSet)
        {
            Require([.. OidcSettings.Where(k => oidc[k] is not { Length: > 0 }).Select(k => $"Oidc:{k}")]);
            if (!Uri.TryCreate(oidc["Authority"], UriKind.Absolute, out var authority))
            {
                throw new InvalidOperationException($"Sign-in: Oidc:Authority '{oidc["Authority"]}' is not an absolute URL.");
            }

            return new SignInProvider(SignInProviderKind.Oidc, authority.AbsoluteUri, CheckScheme(authority, "Oidc:Authority"));
        }

        throw new InvalidOperationException(
            mode == DashboardMode.Sandbox
                ? "Sign-in: sandbox mode found no identity provider settings (the sandbox's own provider is configured at start; was the Oidc section cleared?)."
                : "Sign-in is not configured, and the dashboard does not start without it. Set either AzureAd:Instance, AzureAd:TenantId, "
                  + "AzureAd:ClientId and AzureAd:ClientSecret (or AzureAd:ClientCertificates) for Microsoft Entra ID, or Oidc:Authority, "
                  + "Oidc:ClientId and Oidc:ClientSecret for any other OpenID Connect provider (see the README's \"Sign-in\").");
    }

    private static void Require(List<string> missing)
    {
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"Sign-in settings missing: {string.Join(", ", missing)}.");
        }
    }

    /// <summary>https everywhere; plain http only on loopback (the sandbox's provider), where cookies then work without TLS.</summary>
    private static bool CheckScheme(Uri authority, string setting)
    {
        var loopback = authority.IsLoopback;
        if (authority.Scheme != Uri.UriSchemeHttps && !(authority.Scheme == Uri.UriSchemeHttp && loopback))
        {
            throw new InvalidOperationException($"Sign-in: {setting} must be an https URL (plain http only on loopback): '{authority}'.");
        }

        return loopback && authority.Scheme == Uri.UriSchemeHttp;
    }
}
