namespace BatchOps.Dashboard.ReadModel;

/// <summary>What changed, so a page can ignore notifications it does not show.</summary>
[Flags]
public enum ReadModelChangeKind
{
    None = 0,
    Executions = 1,
    StoppedTasks = 2,
    SyncStatus = 4,
    All = Executions | StoppedTasks | SyncStatus,
}

/// <summary>
/// In-process change notifications: sync jobs publish, pages subscribe and re-render. A subscription is disposable,
/// and pages dispose it with themselves (the Aspire dashboard's repository pattern).
/// </summary>
public sealed class ReadModelChanges
{
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];

    public IDisposable Subscribe(ReadModelChangeKind kinds, Func<Task> callback)
    {
        var subscription = new Subscription(this, kinds, callback);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    public void Publish(ReadModelChangeKind kind)
    {
        Subscription[] targets;
        lock (_gate)
        {
            targets = [.. _subscriptions.Where(s => (s.Kinds & kind) != 0)];
        }

        foreach (var s in targets)
        {
            // Fire and forget: a slow or broken page must not hold up the sync job that published.
            _ = s.Callback();
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

    private sealed class Subscription(ReadModelChanges owner, ReadModelChangeKind kinds, Func<Task> callback) : IDisposable
    {
        public ReadModelChangeKind Kinds { get; } = kinds;
        public Func<Task> Callback { get; } = callback;

        public void Dispose() => owner.Remove(this);
    }
}
