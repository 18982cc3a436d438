using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace BatchOps.Dashboard.Features.Security;

/// <summary>
/// The <c>ForwardedHeaders</c> section: the proxies (the load balancer's addresses or networks) whose X-Forwarded-For
/// and X-Forwarded-Proto are believed. None by default, loopback included: anyone else could claim https or an address.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>CIDR networks, e.g. the VPC's <c>10.0.0.0/16</c> (the CDK stack sets it).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public List<string> KnownProxies { get; set; } = [];
}

public static class ForwardedHeadersSetup
{
    /// <summary>
    /// Believes forwarded headers only when proxies are configured: with none, the middleware would believe everyone
    /// (empty lists mean "do not check" to it), so it is not used at all.
    /// </summary>
    public static IApplicationBuilder UseBatchOpsForwardedHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.ApplicationServices.GetRequiredService<ForwardedHeadersSettings>();
        return settings.KnownNetworks.Count + settings.KnownProxies.Count > 0 ? app.UseForwardedHeaders() : app;
    }

    public static IServiceCollection AddBatchOpsForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ForwardedHeadersSettings.SectionName).Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        services.AddSingleton(settings);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in settings.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks has '{network}', which is not a CIDR network like 10.0.0.0/16."));
            }

            foreach (var proxy in settings.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies has '{proxy}', which is not an IP address."));
            }
        });
        return services;
    }
}
