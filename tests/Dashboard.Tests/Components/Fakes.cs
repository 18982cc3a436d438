using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Overview;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.Sync;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The executions list's read model, as a test sets it: remembers every filter it was asked for.</summary>
public sealed class FakeExecutionQueries : IExecutionQueries
{
    public List<ExecutionsFilter> Asked { get; } = [];
    public List<ExecutionRow> Rows { get; set; } = [];
    public Dictionary<string, int> Counts { get; set; } = new(StringComparer.Ordinal);
    public List<string> Workflows { get; set; } = ["batch-job", "nightly-batch"];

    /// <summary>Answer as a name search past the count cap does: this total, no counts per status.</summary>
    public int? CappedAt { get; set; }

    public Task<ExecutionPage> GetPageAsync(ExecutionsFilter filter, CancellationToken cancellationToken)
    {
        Asked.Add(filter);
        if (CappedAt is { } cap)
        {
            return Task.FromResult(new ExecutionPage([.. Rows.Take(filter.PageSize)], cap, new Dictionary<string, int>(StringComparer.Ordinal), filter.Page, cap / filter.PageSize, Capped: true));
        }

        var rows = Rows.Where(r => filter.Status is null || r.Status == filter.Status).Where(r => filter.Workflow is null || r.Workflow == filter.Workflow).ToList();
        var pageCount = Math.Max(1, (int)Math.Ceiling(rows.Count / (double)filter.PageSize));
        var page = Math.Min(filter.Page, pageCount);
        return Task.FromResult(new ExecutionPage([.. rows.Skip((page - 1) * filter.PageSize).Take(filter.PageSize)], rows.Count, Counts, page, pageCount));
    }

    public Task<IReadOnlyList<string>> GetWorkflowNamesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(Workflows);
}

public sealed class FakeExecutionDetailQueries : IExecutionDetailQueries
{
    public Dictionary<string, ExecutionDetail> Details { get; } = new(StringComparer.Ordinal);

    public Task<ExecutionDetail?> GetAsync(string executionArn, CancellationToken cancellationToken) => Task.FromResult(Details.GetValueOrDefault(executionArn));
}

/// <summary>AWS for the detail page: records what was refreshed, and can fail or hold a refresh until the test lets it go.</summary>
public sealed class FakeRefresher : IExecutionRefresher
{
    public List<string> Refreshed { get; } = [];
    public Exception? Failure { get; set; }
    public TaskCompletionSource? Gate { get; set; }

    public async Task<bool> RefreshAsync(string executionArn, CancellationToken cancellationToken)
    {
        Refreshed.Add(executionArn);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return Failure is null ? true : throw Failure;
    }
}

public sealed class FakeOverviewQueries : IOverviewQueries
{
    public int Calls { get; private set; }
    public OverviewData Data { get; set; } = new([], [], [], 0, 0, DateTimeOffset.UnixEpoch);

    public Task<OverviewData> GetAsync(CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult(Data);
    }
}

public sealed class FakeStoppedTaskQueries : IStoppedTaskQueries
{
    public List<StoppedTasksFilter> Asked { get; } = [];
    public StoppedTaskPage Page { get; set; } = new([], 0, 1, 1, []);

    public Task<StoppedTaskPage> GetPageAsync(StoppedTasksFilter filter, CancellationToken cancellationToken)
    {
        Asked.Add(filter);
        return Task.FromResult(Page);
    }
}

public sealed class FakeSyncHealth : ISyncHealth
{
    public SyncHealth Health { get; set; } = new(false, null, null, null);

    public Task<SyncHealth> GetHealthAsync(CancellationToken cancellationToken) => Task.FromResult(Health);
}
