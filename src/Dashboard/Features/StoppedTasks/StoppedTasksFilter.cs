using System.Globalization;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.StoppedTasks;

/// <summary>Selects a page of stopped ECS tasks; round-trips through the URL query like <see cref="ExecutionsFilter"/>.</summary>
public sealed record StoppedTasksFilter
{
    public StopReasonClass? Reason { get; init; }
    public int? ExitCode { get; init; }
    public string? Family { get; init; }
    public string? Range { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = ExecutionsFilter.DefaultPageSize;

    public (DateTimeOffset? From, DateTimeOffset? To) Window(DateTimeOffset now) =>
        new ExecutionsFilter { Range = Range, From = From, To = To }.Window(now);

    public static StoppedTasksFilter Parse(IReadOnlyDictionary<string, string?> query, ICollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        // Time, paging and reason use the executions list's rules and messages.
        var shared = ExecutionsFilter.Parse(
            query.Where(p => p.Key is "reason" or "range" or "from" or "to" or "page" or "size").ToDictionary(p => p.Key, p => p.Value),
            problems);
        var filter = new StoppedTasksFilter
        {
            Reason = shared.Reason,
            Range = shared.Range,
            From = shared.From,
            To = shared.To,
            Page = shared.Page,
            PageSize = shared.PageSize,
            Family = Get("family") is { Length: <= 255 } family ? family : null,
        };

        if (Get("exit") is { } exit)
        {
            if (int.TryParse(exit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                filter = filter with { ExitCode = code };
            }
            else
            {
                problems?.Add($"Exit code \"{exit}\" is not a number; ignored.");
            }
        }

        return filter;
    }

    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (Reason is not null) yield return new("reason", Reason.Value.ToString());
        if (ExitCode is not null) yield return new("exit", ExitCode.Value.ToString(CultureInfo.InvariantCulture));
        if (Family is not null) yield return new("family", Family);
        foreach (var p in new ExecutionsFilter { Range = Range, From = From, To = To, Page = Page, PageSize = PageSize }.ToQuery())
        {
            yield return p;
        }
    }
}
