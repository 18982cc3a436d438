using System.Text.Json;
using System.Text.Json.Serialization;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>How an execution's event history is stored in <see cref="ExecutionHistoryRecord.EventsJson"/> (written by the sync, read by pages).</summary>
public static class StoredHistory
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Serialize(IReadOnlyList<HistoryEvent> events) => JsonSerializer.Serialize(events, Json);

    public static List<HistoryEvent> Deserialize(string eventsJson) => JsonSerializer.Deserialize<List<HistoryEvent>>(eventsJson, Json) ?? [];

    /// <summary>Bounds text copied from AWS into the read model.</summary>
    public static string? Cut(string? text, int max) => text is not null && text.Length > max ? text[..max] + "…" : text;
}
