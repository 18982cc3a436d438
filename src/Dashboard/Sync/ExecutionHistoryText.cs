namespace BatchOps.Dashboard.Sync;

/// <summary>Bounds text copied from AWS into the read model.</summary>
public static class ExecutionHistoryText
{
    public static string? Cut(string? text, int max) => text is not null && text.Length > max ? text[..max] + "…" : text;
}
