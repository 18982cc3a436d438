using System.Diagnostics.Metrics;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Telemetry;

/// <summary>
/// The dashboard's own instruments (meter <see cref="MeterName"/>), exported with the framework's through OpenTelemetry.
/// Pages report what live updates cost; the load bench and an operator's Prometheus read the same numbers.
/// </summary>
public sealed class DashboardMetrics
{
    public const string MeterName = "BatchOps.Dashboard";

    private readonly Counter<long> _liveRefreshes;
    private readonly Counter<long> _operations;
    private readonly IDbContextFactory<ReadModelDbContext>? _contexts;
    private readonly TimeProvider _time;

    /// <param name="contexts">The read model, for the sync lag; without one (a component test) there is no such gauge.</param>
    public DashboardMetrics(IMeterFactory meters, ReadModelChanges changes, TimeProvider time, IDbContextFactory<ReadModelDbContext>? contexts = null)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(changes);
        _contexts = contexts;
        _time = time;
        var meter = meters.Create(MeterName);
        _operations = meter.CreateCounter<long>(
            "batchops.operations", "{operation}", "Operator actions sent to AWS, by kind (Start, Redrive, Rerun, Stop, …) and how they ended (Succeeded, Failed).");
        if (contexts is not null)
        {
            meter.CreateObservableGauge(
                "batchops.sync.lag", SyncLag, "s", "Time since each workflow's executions were last listed from AWS without error (read from the read model: any instance's sync counts).");
        }

        _liveRefreshes = meter.CreateCounter<long>(
            "batchops.page.live_refreshes", "{refresh}", "Times an open page reloaded because a read-model change it shows was published (at most once a second per page).");
        meter.CreateObservableUpDownCounter(
            "batchops.page.live_subscriptions", () => changes.Count, "{subscription}", "Open pages and components watching read-model changes.");
    }

    public void OperationCompleted(string kind, string status) =>
        _operations.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("status", status));

    private IEnumerable<Measurement<double>> SyncLag()
    {
        // Collected on a scrape or an export (every few seconds at most): one read of a table with a row per job and workflow.
        const string Prefix = "executions:";
        using var db = _contexts!.CreateDbContext();
        var now = _time.GetUtcNow();
        var cursors = db.SyncCursors.AsNoTracking().Where(c => c.Key.StartsWith(Prefix) && c.LastSuccessAt != null).Select(c => new { c.Key, c.LastSuccessAt }).ToList();
        return cursors.Select(c => new Measurement<double>(
            (now - c.LastSuccessAt!.Value).TotalSeconds,
            new KeyValuePair<string, object?>("workflow", c.Key[(c.Key.LastIndexOf(':') + 1)..])));
    }

    /// <param name="page">The component's type name, e.g. ExecutionsPage.</param>
    /// <param name="kinds">What it watched, e.g. Executions (a Clock-only watch reloads nothing but still re-renders).</param>
    public void LiveRefresh(string page, ReadModelChangeKind kinds) =>
        _liveRefreshes.Add(1, new KeyValuePair<string, object?>("page", page), new KeyValuePair<string, object?>("kinds", kinds.ToString()));
}
