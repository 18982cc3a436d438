using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Sync;

/// <summary>The <c>Sync</c> section: how often each job polls AWS and how much it asks for per run.</summary>
public sealed class SyncOptions : IValidatableObject
{
    public const string SectionName = "Sync";

    /// <summary>
    /// The state machines to sync (the CDK stack sets its workflows). Empty: every standard state machine
    /// ListStateMachines returns. With a list, the sync keeps reading these even when listing is refused.
    /// </summary>
    public List<string> StateMachineArns { get; set; } = [];

    /// <summary>The ECS clusters whose stopped tasks are captured (the stack's). Empty: every cluster ListClusters returns.</summary>
    public List<string> Clusters { get; set; } = [];

    public TimeSpan ExecutionsInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan StoppedTasksInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each state machine's newest redriven executions are listed (redrives of older executions).</summary>
    public TimeSpan RedriveSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How far back the first sync of a state machine goes: 14 days, the redrive window; up to AWS's 90-day retention.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "90.00:00:00")]
    public TimeSpan BackfillWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>ListExecutions pages a backfill reads per pass and state machine; it goes on from its saved position next pass.</summary>
    [Range(1, 10_000)]
    public int BackfillPagesPerPass { get; set; } = 50;

    /// <summary>ListExecutions MaxResults (1-1000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Histories fetched per run of the history job; the rest wait for the next run.</summary>
    [Range(1, 10_000)]
    public int HistoryBatch { get; set; } = 25;

    /// <summary>Failed fetches in a row after which an execution's history is poisoned: no longer fetched by the sync, listed on /sync (opening its page still tries).</summary>
    [Range(1, 100)]
    public int PoisonAfter { get; set; } = 5;

    /// <summary>A running execution's history is fetched again when it is older than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RunningHistoryRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Data counts as stale when a source has not been read successfully for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Background job threads per instance (Hangfire workers): the four sync jobs, with room for the operator's bulk jobs.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 6;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var arn in StateMachineArns.Where(a => !a.StartsWith("arn:", StringComparison.Ordinal) || !a.Contains(":stateMachine:", StringComparison.Ordinal)))
        {
            yield return new ValidationResult($"Sync:StateMachineArns has '{arn}', which is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>).", [nameof(StateMachineArns)]);
        }

        foreach (var (name, interval) in Intervals())
        {
            if (SyncSchedule.Cron(interval) is null)
            {
                yield return new ValidationResult(
                    $"Sync:{name} is {interval}: a job interval must be a whole number of seconds that divides a minute (1, 2, 5, 10, 15, 20, 30 s), minutes that divide an hour, or hours that divide a day, so it can run as a recurring job.",
                    [name]);
            }
        }
    }

    public IEnumerable<(string Name, TimeSpan Interval)> Intervals()
    {
        yield return (nameof(ExecutionsInterval), ExecutionsInterval);
        yield return (nameof(HistoryInterval), HistoryInterval);
        yield return (nameof(StoppedTasksInterval), StoppedTasksInterval);
        yield return (nameof(RedriveSweepInterval), RedriveSweepInterval);
    }
}
