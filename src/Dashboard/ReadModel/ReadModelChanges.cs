namespace BatchOps.Dashboard.ReadModel;

/// <summary>What changed, so a page can ignore notifications it does not show.</summary>
[Flags]
public enum ReadModelChangeKind
{
    None = 0,
    Executions = 1,
    StoppedTasks = 2,
    SyncStatus = 4,

    /// <summary>Time passed (every <see cref="ClockTicks.Interval"/>): relative times and staleness move without a sync.</summary>
    Clock = 8,

    /// <summary>An operator action was recorded or progressed (the audit and bulk progress pages).</summary>
    Operations = 16,

    /// <summary>Schedules were read from AWS or changed from the dashboard.</summary>
    Schedules = 32,
    All = Executions | StoppedTasks | SyncStatus | Clock | Operations | Schedules,
}

/// <summary>
/// In-process change notifications: sync jobs publish, pages subscribe and re-render. A subscription is disposable,
/// and pages dispose it with themselves (the Aspire dashboard's repository pattern). Callbacks must be quick or
/// throttle themselves (<see cref="Features.Shared.LiveComponentBase"/> does): publishing never waits for them.
/// </summary>
public sealed class ReadModelChanges
{
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];

    /// <param name="affects">
    /// Given the workflows a change touched, whether it can change what the subscriber shows (a page filtered to one
    /// workflow ignores the others); null: every change of <paramref name="kinds"/> counts.
    /// </param>
    public IDisposable Subscribe(ReadModelChangeKind kinds, Action callback, Func<IReadOnlyCollection<string>, bool>? affects = null)
    {
        var subscription = new Subscription(this, kinds, callback, affects);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Where changes made here also go, for the other dashboard instances (<see cref="PostgresChangeRelay"/>); null with one instance.</summary>
    public Action<ReadModelChangeKind, IReadOnlyCollection<string>?>? Relay { get; set; }

    /// <param name="workflows">The workflows whose executions changed, when the publisher knows; null: any may have.</param>
    public void Publish(ReadModelChangeKind kind, IReadOnlyCollection<string>? workflows = null)
    {
        // The clock ticks on every instance by itself; everything else another instance's pages may show too.
        if (kind != ReadModelChangeKind.Clock)
        {
            Relay?.Invoke(kind, workflows);
        }

        PublishHere(kind, workflows);
    }

    /// <summary>A change another instance made (relayed to this one): this instance's pages only, not relayed again.</summary>
    public void PublishHere(ReadModelChangeKind kind, IReadOnlyCollection<string>? workflows = null)
    {
        Subscription[] targets;
        lock (_gate)
        {
            targets = [.. _subscriptions.Where(s => (s.Kinds & kind) != 0 && (workflows is null || s.Affects is null || s.Affects(workflows)))];
        }

        foreach (var s in targets)
        {
            s.Callback();
        }
    }

    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _subscriptions.Count;
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private sealed class Subscription(ReadModelChanges owner, ReadModelChangeKind kinds, Action callback, Func<IReadOnlyCollection<string>, bool>? affects) : IDisposable
    {
        public ReadModelChangeKind Kinds { get; } = kinds;
        public Action Callback { get; } = callback;
        public Func<IReadOnlyCollection<string>, bool>? Affects { get; } = affects;

        public void Dispose() => owner.Remove(this);
    }
}

/// <summary>One timer for every open page: publishes <see cref="ReadModelChangeKind.Clock"/> so relative times and the stale notice move.</summary>
public sealed class ClockTicks(ReadModelChanges changes, TimeProvider time) : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => changes.Publish(ReadModelChangeKind.Clock), null, Interval, Interval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
