namespace BatchOps.Dashboard.Features.Shared;

/// <summary>
/// Runs a callback at most once per interval however often it is asked to: a request during the wait or during a
/// run is folded into one more run after it. So a burst of 1 000 sync writes costs an open page one query per
/// interval, not 1 000.
/// </summary>
public sealed class CallbackThrottler : IDisposable
{
    private readonly Func<CancellationToken, Task> _callback;
    private readonly TimeSpan _minimumInterval;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _disposed = new();
    private readonly CancellationToken _stopped;
    private readonly Lock _gate = new();
    private bool _scheduled;
    private bool _again;
    private long _lastStart = long.MinValue;

    private readonly Action<Exception> _failed;

    /// <param name="failed">Told about a run that threw; later requests run again.</param>
    public CallbackThrottler(Func<CancellationToken, Task> callback, TimeSpan minimumInterval, TimeProvider time, Action<Exception> failed)
    {
        _callback = callback;
        _failed = failed;
        _minimumInterval = minimumInterval;
        _time = time;
        // Captured once: the source is disposed with the throttler while a run may still hold the token.
        _stopped = _disposed.Token;
    }

    /// <summary>Asks for a run; returns at once.</summary>
    public void Request()
    {
        lock (_gate)
        {
            if (_stopped.IsCancellationRequested)
            {
                return;
            }

            if (_scheduled)
            {
                _again = true;
                return;
            }

            _scheduled = true;
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                var wait = _lastStart == long.MinValue ? TimeSpan.Zero : _minimumInterval - _time.GetElapsedTime(_lastStart);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, _stopped).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    _again = false;
                }

                _lastStart = _time.GetTimestamp();
                try
                {
                    await _callback(_stopped).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A failed refresh must not end live updates; the owner is told and logs it.
                catch (Exception e) when (!_stopped.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    _failed(e);
                }

                lock (_gate)
                {
                    if (!_again)
                    {
                        _scheduled = false;
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopped.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
        }

        _disposed.Dispose();
    }
}
