using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BatchOps.Aws.Runtime;

/// <summary>
/// What the AWS clients did (meter <see cref="MeterName"/>): calls by service, operation and outcome, their duration,
/// and retries by reason. An app exports them with its own (OpenTelemetry: AddMeter("BatchOps.Aws")).
/// </summary>
public sealed class AwsClientMetrics
{
    public const string MeterName = "BatchOps.Aws";

    private readonly Counter<long> _calls;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _duration;

    public AwsClientMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _calls = meter.CreateCounter<long>("aws.client.calls", "{call}", "AWS API calls by service, operation and outcome (Success, the service's error code, or Transport), retries included in one call.");
        _retries = meter.CreateCounter<long>("aws.client.retries", "{retry}", "Attempts sent again, by reason: Throttling, Transient (5xx), Transport (no answer), ClockSkew.");
        _duration = meter.CreateHistogram<double>("aws.client.duration", "s", "Time of a whole call, retries and backoff included.");
    }

    public void Called(string service, string operation, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "aws.service", service }, { "aws.operation", operation }, { "outcome", outcome } };
        _calls.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, new TagList { { "aws.service", service }, { "aws.operation", operation } });
    }

    public void Retried(string service, string operation, string reason) =>
        _retries.Add(1, new TagList { { "aws.service", service }, { "aws.operation", operation }, { "reason", reason } });
}
