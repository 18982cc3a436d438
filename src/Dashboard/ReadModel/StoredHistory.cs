using System.Text.Json;
using System.Text.Json.Serialization;
using BatchOps.Aws.StepFunctions;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>
/// How an execution's event history is stored: <see cref="ExecutionHistoryChunkRecord"/>s of <see cref="ChunkSize"/>
/// events as JSON (written by the sync, read by pages). Reading and writing go a chunk at a time, so a history of AWS's
/// maximum 25 000 events is never in memory both as events and as JSON.
/// </summary>
public static class StoredHistory
{
    /// <summary>Events per chunk: one GetExecutionHistory page at most.</summary>
    public const int ChunkSize = 1000;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Serialize(IEnumerable<HistoryEvent> events) => JsonSerializer.Serialize(events, Json);

    public static List<HistoryEvent> Deserialize(string eventsJson) => JsonSerializer.Deserialize<List<HistoryEvent>>(eventsJson, Json) ?? [];

    /// <summary>The chunks holding <paramref name="events"/> from position <paramref name="from"/> (a chunk boundary) on.</summary>
    public static IEnumerable<ExecutionHistoryChunkRecord> Chunks(string executionArn, IReadOnlyList<HistoryEvent> events, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (var start = from - (from % ChunkSize); start < events.Count; start += ChunkSize)
        {
            yield return new ExecutionHistoryChunkRecord
            {
                ExecutionArn = executionArn,
                Sequence = start / ChunkSize,
                EventsJson = Serialize(events.Skip(start).Take(ChunkSize)),
            };
        }
    }

    /// <summary>The stored events, oldest first, one chunk's JSON in memory at a time.</summary>
    public static async Task<List<HistoryEvent>> ReadAsync(ReadModelDbContext db, string executionArn, int expectedCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var events = new List<HistoryEvent>(expectedCount);
        // One key lookup per chunk rather than one streamed query: a retrying execution strategy buffers a whole result.
        for (var sequence = 0; ; sequence++)
        {
            var json = await db.HistoryChunks.AsNoTracking().Where(c => c.ExecutionArn == executionArn && c.Sequence == sequence)
                .Select(c => c.EventsJson).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (json is null)
            {
                return events;
            }

            events.AddRange(Deserialize(json));
        }
    }

    /// <summary>
    /// Replaces the stored chunks from the one holding position <paramref name="kept"/> on with <paramref name="events"/>
    /// from there, saving each chunk before serializing the next. Runs inside the caller's transaction.
    /// </summary>
    public static async Task WriteAsync(ReadModelDbContext db, string executionArn, IReadOnlyList<HistoryEvent> events, int kept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var first = kept / ChunkSize;
        await db.HistoryChunks.Where(c => c.ExecutionArn == executionArn && c.Sequence >= first).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in Chunks(executionArn, events, kept))
        {
            db.HistoryChunks.Add(chunk);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            db.Entry(chunk).State = EntityState.Detached;
        }
    }

    /// <summary>Bounds text copied from AWS into the read model.</summary>
    public static string? Cut(string? text, int max) => text is not null && text.Length > max ? text[..max] + "…" : text;
}
