namespace BatchOps.Dashboard.Features.Executions;

/// <summary>
/// The executions page's state: the filter read from the URL, the page loaded for it, and what was wrong with the URL.
/// The page renders it; filter changes go through the URL so the browser's history and pasted links work.
/// </summary>
public sealed class ExecutionsViewModel(IExecutionQueries queries)
{
    public ExecutionsFilter Filter { get; private set; } = new();
    public ExecutionPage? Page { get; private set; }
    public IReadOnlyList<string> Workflows { get; private set; } = [];
    public IReadOnlyList<string> Problems { get; private set; } = [];
    public string? LoadError { get; private set; }

    public void SetQuery(IReadOnlyDictionary<string, string?> query)
    {
        var problems = new List<string>();
        Filter = ExecutionsFilter.Parse(query, problems);
        Problems = problems;
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Workflows = await queries.GetWorkflowNamesAsync(cancellationToken);
            Page = await queries.GetPageAsync(Filter, cancellationToken);
            LoadError = null;
        }
        catch (Exception ex) when (ex is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            // The read model itself failing is rare (disk, database down); keep the last page and say so.
            LoadError = "The read model could not be queried: " + ex.Message;
        }
    }

    /// <summary>The same filter with a change applied, back on page 1 (a new filter makes the old page number meaningless).</summary>
    public ExecutionsFilter With(Func<ExecutionsFilter, ExecutionsFilter> change) => change(Filter) with { Page = 1 };

    public ExecutionsFilter SortedBy(string key) => Filter with
    {
        Sort = key,
        Descending = Filter.Sort != key || !Filter.Descending,
        Page = 1,
    };
}
