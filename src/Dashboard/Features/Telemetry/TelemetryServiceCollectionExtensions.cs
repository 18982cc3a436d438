using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BatchOps.Dashboard.Features.Telemetry;

/// <summary>OpenTelemetry for the dashboard itself: metrics and traces, OTLP when configured, a protected Prometheus scrape.</summary>
public static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddBatchOpsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DashboardMetrics>();
        var scrape = !string.IsNullOrEmpty(configuration[$"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.MetricsToken)}"]);
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("batchops-dashboard"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DashboardMetrics.MeterName, BatchOps.Aws.Runtime.AwsClientMetrics.MeterName, "Microsoft.EntityFrameworkCore", "System.Runtime")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (scrape)
                {
                    // No response cache: a scrape shows the counters as they are (the endpoint is token-protected, not public).
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            })
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation());
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Maps the Prometheus scrape endpoint when a token is configured; a request without that bearer token gets 401 and no metrics.</summary>
    public static WebApplication MapBatchOpsMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Created now, not with the first page: its observable instruments report from the start.
        _ = app.Services.GetRequiredService<DashboardMetrics>();
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (options.MetricsToken is not { } token)
        {
            return app;
        }

        var expected = Encoding.UTF8.GetBytes("Bearer " + token);
        app.MapPrometheusScrapingEndpoint(options.MetricsPath).AllowAnonymous().Add(endpoint =>
        {
            var scrape = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = async context =>
            {
                var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
                if (!CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await context.Response.WriteAsync("The metrics endpoint needs the bearer token configured as Telemetry:MetricsToken.", context.RequestAborted).ConfigureAwait(false);
                    return;
                }

                await scrape(context).ConfigureAwait(false);
            };
        });
        return app;
    }
}
