using BatchOps.Dashboard.Features.Telemetry;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Shared;

/// <summary>
/// A page or component that stays current: it watches read-model changes of the kinds it shows and reloads at most
/// once per <see cref="RefreshInterval"/>, re-rendering on its circuit's dispatcher. Every page gets its subscription,
/// throttling, cancellation and disposal from here, once.
/// </summary>
public abstract partial class LiveComponentBase : ComponentBase, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private readonly CancellationToken _disposing;
    private readonly List<IDisposable> _watches = [];

    protected LiveComponentBase() => _disposing = _disposed.Token;

    [Inject] public required ReadModelChanges Changes { get; init; }
    [Inject] public required TimeProvider Time { get; init; }
    [Inject] public required ILoggerFactory Loggers { get; init; }
    [Inject] public required DashboardMetrics Metrics { get; init; }

    /// <summary>The operator's time zone choice (cascaded by the layout).</summary>
    [CascadingParameter] public TimeSettings? Settings { get; set; }

    /// <summary>How times on the page are shown: the operator's choice, or UTC where none is cascaded (a component test).</summary>
    protected TimeSettings TimeSettingsFor => Settings ?? TimeSettings.UtcDefault;

    /// <summary>Cancelled when the component goes away (navigation, closed tab): pass it to every query.</summary>
    protected CancellationToken Disposing => _disposing;

    /// <summary>Reloads with <paramref name="reload"/> when a change of <paramref name="kinds"/> is published (throttled), then re-renders.</summary>
    /// <param name="affects">Whether a change to these workflows can change the page (see <see cref="ReadModelChanges.Subscribe"/>).</param>
    protected void Watch(ReadModelChangeKind kinds, Func<CancellationToken, Task> reload, Func<IReadOnlyCollection<string>, bool>? affects = null)
    {
        var throttler = new CallbackThrottler(
            async ct => await InvokeAsync(async () =>
            {
                if (!ct.IsCancellationRequested && ShouldRefresh(kinds))
                {
                    await reload(ct);
                    Metrics.LiveRefresh(GetType().Name, kinds);
                    StateHasChanged();
                }
            }),
            RefreshInterval,
            Time,
            e => LiveUpdateFailed(Loggers.CreateLogger(GetType()), e));
        _watches.Add(throttler);
        _watches.Add(Changes.Subscribe(kinds, throttler.Request, affects));
    }

    /// <summary>A page can pause live updates (the Executions page's auto-refresh switch).</summary>
    protected virtual bool ShouldRefresh(ReadModelChangeKind kinds) => true;

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var watch in _watches)
        {
            watch.Dispose();
        }

        _disposed.Cancel();
        _disposed.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live update of the page failed; the next change tries again")]
    private static partial void LiveUpdateFailed(ILogger logger, Exception exception);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }
}
