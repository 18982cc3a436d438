using System.Diagnostics.Metrics;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Telemetry;

/// <summary>
/// The dashboard's own instruments (meter <see cref="MeterName"/>), exported with the framework's through OpenTelemetry.
/// Pages report what live updates cost; the load bench and an operator's Prometheus read the same numbers.
/// </summary>
public sealed class DashboardMetrics
{
    public const string MeterName = "BatchOps.Dashboard";

    private readonly Counter<long> _liveRefreshes;

    public DashboardMetrics(IMeterFactory meters, ReadModelChanges changes)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(changes);
        var meter = meters.Create(MeterName);
        _liveRefreshes = meter.CreateCounter<long>(
            "batchops.page.live_refreshes", "{refresh}", "Times an open page reloaded because a read-model change it shows was published (at most once a second per page).");
        meter.CreateObservableUpDownCounter(
            "batchops.page.live_subscriptions", () => changes.Count, "{subscription}", "Open pages and components watching read-model changes.");
    }

    /// <param name="page">The component's type name, e.g. ExecutionsPage.</param>
    /// <param name="kinds">What it watched, e.g. Executions (a Clock-only watch reloads nothing but still re-renders).</param>
    public void LiveRefresh(string page, ReadModelChangeKind kinds) =>
        _liveRefreshes.Add(1, new KeyValuePair<string, object?>("page", page), new KeyValuePair<string, object?>("kinds", kinds.ToString()));
}
