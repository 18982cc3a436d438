using System.Text.Json;
using System.Threading.Channels;
using Npgsql;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>
/// Live page updates across dashboard instances sharing a PostgreSQL read model: every change published here is sent
/// with NOTIFY, and a connection that LISTENs publishes the other instances' changes to this instance's pages. A
/// change never waits for the database (a bounded queue; a full one drops the oldest, and the clock refreshes pages
/// anyway), and a lost connection is opened again with backoff.
/// </summary>
public sealed partial class PostgresChangeRelay(ReadModelChanges changes, ReadModelContextFactory contexts, ILogger<PostgresChangeRelay> logger) : BackgroundService
{
    public const string Channel = "batchops_changes";

    /// <summary>Larger payloads (many workflows) are sent as "any workflow": NOTIFY takes at most 8000 bytes.</summary>
    private const int MaxPayload = 7_000;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<Change> _outbound = System.Threading.Channels.Channel.CreateBounded<Change>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Whether the LISTEN connection is open (tests wait for it: a notification sent before LISTEN is not delivered).</summary>
    public bool Listening { get; private set; }

    /// <summary>This instance, so it ignores its own notifications.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N");

    private sealed record Change(string I, int K, string[]? W);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        changes.Relay = (kind, workflows) => _outbound.Writer.TryWrite(new Change(Instance, (int)kind, workflows is null ? null : [.. workflows]));
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        changes.Relay = null;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(KeepAsync("listen", ListenAsync, stoppingToken), KeepAsync("notify", NotifyAsync, stoppingToken));

    /// <summary>Runs a loop for as long as the dashboard runs, opening its connection again after a failure.</summary>
    private async Task KeepAsync(string what, Func<CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await loop(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogLost(logger, what, backoff.TotalSeconds, e);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(contexts.ConnectionString);
        await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
        connection.Notification += (_, e) => Received(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        LogListening(logger, Channel);
        Listening = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Listening = false;
        }
    }

    private async Task NotifyAsync(CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(contexts.ConnectionString);
        await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
        await foreach (var change in _outbound.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            var payload = JsonSerializer.Serialize(change);
            if (payload.Length > MaxPayload)
            {
                payload = JsonSerializer.Serialize(change with { W = null });
            }

            await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
            notify.Parameters.AddWithValue("channel", Channel);
            notify.Parameters.AddWithValue("payload", payload);
            await notify.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private void Received(string payload)
    {
        Change? change;
        try
        {
            change = JsonSerializer.Deserialize<Change>(payload);
        }
        catch (JsonException)
        {
            return;
        }

        if (change is null || change.I == Instance)
        {
            return;
        }

        changes.PublishHere((ReadModelChangeKind)change.K & ReadModelChangeKind.All, change.W);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live updates from the other dashboard instances: listening on PostgreSQL channel {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL {What} connection for live updates across instances was lost; opening it again in {Seconds} s")]
    private static partial void LogLost(ILogger logger, string what, double seconds, Exception exception);
}
