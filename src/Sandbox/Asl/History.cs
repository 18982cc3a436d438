using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.Asl;

/// <summary>An execution's event history, with ids and previousEventId as Step Functions assigns them.</summary>
public sealed class History(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<HistoryEvent> _events = [];

    public IReadOnlyList<HistoryEvent> Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Appends an event after <paramref name="cursor"/>'s last event and advances the cursor.</summary>
    public long Add(Cursor cursor, string type, Func<HistoryEvent, HistoryEvent> details, long? previousOverride = null)
    {
        lock (_gate)
        {
            var id = _events.Count + 1L;
            var e = details(new HistoryEvent { Id = id, Type = type, Timestamp = time.GetUtcNow(), PreviousEventId = previousOverride ?? cursor.Last });
            _events.Add(e);
            cursor.Last = id;
            return id;
        }
    }
}

/// <summary>The last event of one thread of execution (the top level, a Parallel branch or a Map iteration).</summary>
public sealed class Cursor(long last)
{
    public long Last { get; set; } = last;
}
