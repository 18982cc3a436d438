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

/// <summary>
/// One thread of execution (the top level, a Parallel branch or a Map iteration): its last event, the states it has
/// entered and not left, and the threads it started. When a Parallel or Map fails, what is still open in its threads is
/// recorded as aborted, as Step Functions does.
/// </summary>
public sealed class Cursor(long last)
{
    private readonly List<string> _open = [];
    private readonly List<Cursor> _children = [];

    public long Last { get; set; } = last;

    /// <summary>Set for a Map iteration: the Map state's name and the item's index.</summary>
    public (string Map, int Index)? Iteration { get; init; }

    /// <summary>The thread ended (succeeded or failed): it is not aborted as an iteration, though states left open by its failure are.</summary>
    public bool Finished { get; set; }

    public Cursor StartThread(long first, (string Map, int Index)? iteration = null)
    {
        var child = new Cursor(first) { Iteration = iteration };
        lock (_children)
        {
            _children.Add(child);
        }

        return child;
    }

    internal void Enter(string type)
    {
        lock (_open)
        {
            _open.Add(type);
        }
    }

    internal void Exit()
    {
        lock (_open)
        {
            _open.RemoveAt(_open.Count - 1);
        }
    }

    /// <summary>Records StateAborted for the open Task, Wait, Parallel and Map states of these threads and MapIterationAborted for unfinished iterations.</summary>
    public static void RecordAborted(History history, IEnumerable<Cursor> threads, long cause)
    {
        foreach (var thread in threads)
        {
            List<Cursor> children;
            lock (thread._children)
            {
                children = [.. thread._children];
            }

            RecordAborted(history, children, cause);
            string[] open;
            lock (thread._open)
            {
                // Recorded once: a thread aborted by an inner Parallel or Map is not aborted again by an outer one.
                open = [.. thread._open];
                thread._open.Clear();
            }

            foreach (var type in open.Where(t => t is "Task" or "Wait" or "Parallel" or "Map"))
            {
                history.Add(new Cursor(cause), type + "StateAborted", e => e);
            }

            if (!thread.Finished && thread.Iteration is { } iteration)
            {
                history.Add(new Cursor(cause), HistoryEventType.MapIterationAborted, e => e with { MapIterationAbortedEventDetails = new() { Name = iteration.Map, Index = iteration.Index } });
            }

            thread.Finished = true;
        }
    }
}
