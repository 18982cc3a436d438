using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Features.Telemetry;

/// <summary>
/// The <c>Telemetry</c> section. OTLP export follows the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variables; the
/// Prometheus scrape endpoint exists only when a token is set, and answers only requests that carry it.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The bearer token Prometheus sends (<c>authorization: credentials</c> in its scrape config). A secret: never logged.</summary>
    [MinLength(24, ErrorMessage = "Telemetry:MetricsToken must be at least 24 characters (it is the only thing protecting /metrics).")]
    public string? MetricsToken { get; set; }

    [RegularExpression("^/[A-Za-z0-9/_-]*$", ErrorMessage = "Telemetry:MetricsPath must be an absolute path such as /metrics.")]
    public string MetricsPath { get; set; } = "/metrics";
}
