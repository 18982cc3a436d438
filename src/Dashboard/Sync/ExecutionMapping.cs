using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Sync;

/// <summary>Copies DescribeExecution into the read model row, secrets taken out (before the text is cut to size, while it is still JSON).</summary>
public static class ExecutionMapping
{
    private const int MaxData = 256 * 1024;

    public static void Apply(ExecutionRecord record, DescribeExecutionResponse described, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(described);
        ArgumentNullException.ThrowIfNull(redactor);
        record.Status = described.Status;
        record.StartDate = described.StartDate.ToUniversalTime();
        record.StopDate = described.StopDate?.ToUniversalTime();
        record.RedriveCount = described.RedriveCount ?? 0;
        record.RedriveDate = described.RedriveDate?.ToUniversalTime();
        record.RedriveStatus = described.RedriveStatus;
        record.RedriveStatusReason = StoredHistory.Cut(described.RedriveStatusReason, 1024);
        record.Error = StoredHistory.Cut(described.Error, 4096);
        record.Cause = StoredHistory.Cut(redactor.Redact(described.Cause), 32 * 1024);
        record.Input = StoredHistory.Cut(redactor.Redact(described.Input), MaxData);
        record.Output = StoredHistory.Cut(redactor.Redact(described.Output), MaxData);
        record.RerunOfArn = RerunOf(described.Input);
    }

    /// <summary>Reads the re-run lineage (<c>{"_batchops": {"rerunOf": "arn"}}</c>, the workflow contract's marker) from an execution input; any instance reads it back from AWS.</summary>
    public static string? RerunOf(string? input)
    {
        if (string.IsNullOrEmpty(input) || !input.Contains(WorkflowInput.LineageProperty, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(input);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty(WorkflowInput.LineageProperty, out var marker)
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
