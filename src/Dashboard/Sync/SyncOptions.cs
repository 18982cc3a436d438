using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.Sync;

/// <summary>The <c>Sync</c> section: how often each job polls AWS and how much it asks for per run.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ExecutionsInterval { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StoppedTasksInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each state machine's newest redriven executions are listed (redrives of older executions).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RedriveSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>ListExecutions MaxResults (1-1000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Histories fetched per run of the history job; the rest wait for the next run.</summary>
    [Range(1, 10_000)]
    public int HistoryBatch { get; set; } = 25;

    /// <summary>A running execution's history is fetched again when it is older than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RunningHistoryRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Data counts as stale when a source has not been read successfully for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Quartz job store: false = in memory (sandbox, single instance), true = clustered ADO store on the PostgreSQL read model.</summary>
    public bool Clustered { get; set; }
}
