using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>The <c>Operations</c> section: how operator actions are carried out, retried and paced.</summary>
public sealed class OperationOptions : IValidatableObject
{
    public const string SectionName = "Operations";

    /// <summary>How long an instance holds an operation it is sending; a lapsed claim (the instance stopped) is taken over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After AWS throttled, failed or did not answer (past the client's own retries), the next try is this much later.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An operation AWS still has not answered after this long is failed with the last error.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often recovery looks for operations to finish (after a restart, or a throttle).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The same start or re-run (same user, workflow and input, no name or key given) within this window is one operation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RepeatWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Bulk actions send at most this many requests per second unless the request asks for fewer.</summary>
    [Range(0.1, 100)]
    public double BulkRatePerSecond { get; set; } = 5;

    [Range(1, 10000)]
    public int MaxBulkItems { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryAfter >= GiveUpAfter)
        {
            yield return new ValidationResult($"Operations:RetryAfter ({RetryAfter}) must be shorter than Operations:GiveUpAfter ({GiveUpAfter}).", [nameof(RetryAfter), nameof(GiveUpAfter)]);
        }
    }
}
