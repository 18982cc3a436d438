using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Sync;

/// <summary>Copies DescribeExecution into the read model row.</summary>
public static class ExecutionMapping
{
    /// <summary>
    /// The property a re-run's input carries to name the execution it re-runs (written by the dashboard's re-run action),
    /// so lineage is read back from AWS by any instance and survives a rebuilt read model.
    /// </summary>
    public const string RerunMarker = "_batchops";

    private const int MaxData = 256 * 1024;

    public static void Apply(ExecutionRecord record, DescribeExecutionResponse described)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(described);
        record.Status = described.Status;
        record.StartDate = described.StartDate.ToUniversalTime();
        record.StopDate = described.StopDate?.ToUniversalTime();
        record.RedriveCount = described.RedriveCount ?? 0;
        record.RedriveDate = described.RedriveDate?.ToUniversalTime();
        record.RedriveStatus = described.RedriveStatus;
        record.Error = ExecutionHistoryText.Cut(described.Error, 4096);
        record.Cause = ExecutionHistoryText.Cut(described.Cause, 32 * 1024);
        record.Input = ExecutionHistoryText.Cut(described.Input, MaxData);
        record.Output = ExecutionHistoryText.Cut(described.Output, MaxData);
        record.RerunOfArn = RerunOf(described.Input);
    }

    /// <summary>Reads <c>{"_batchops": {"rerunOf": "arn"}}</c> from an execution input.</summary>
    public static string? RerunOf(string? input)
    {
        if (string.IsNullOrEmpty(input) || !input.Contains(RerunMarker, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(input);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty(RerunMarker, out var marker)
                && marker.ValueKind == JsonValueKind.Object
                && marker.TryGetProperty("rerunOf", out var of)
                && of.ValueKind == JsonValueKind.String
                ? of.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
