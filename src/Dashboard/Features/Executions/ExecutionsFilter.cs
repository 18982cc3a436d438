using System.Globalization;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Executions;

/// <summary>
/// Everything that selects a page of executions. It round-trips through the URL query (<see cref="Navigation.DashboardUrls"/>),
/// so a link pasted in an incident channel opens the same list.
/// </summary>
public sealed record ExecutionsFilter
{
    public const int DefaultPageSize = 50;
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100];

    /// <summary>Statuses offered by the filter; REDRIVABLE is failed, timed out or aborted and still redrivable.</summary>
    public static readonly IReadOnlyList<string> Statuses = [ExecutionStatus.RUNNING, ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED, ExecutionStatus.PENDING_REDRIVE, Redrivable];

    public const string Redrivable = ExecutionRedriveStatus.REDRIVABLE;

    public static readonly IReadOnlyList<string> SortKeys = ["start", "stop", "name", "workflow", "status"];

    public static readonly IReadOnlyList<string> Ranges = ["1h", "24h", "7d", "30d"];

    public string? Workflow { get; init; }
    public string? Status { get; init; }
    public string? Search { get; init; }
    public StopReasonClass? Reason { get; init; }

    /// <summary>A preset window ending now (1h, 24h, 7d, 30d); ignored when From or To is set.</summary>
    public string? Range { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string Sort { get; init; } = "start";
    public bool Descending { get; init; } = true;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The start-date window this filter selects, given now.</summary>
    public (DateTimeOffset? From, DateTimeOffset? To) Window(DateTimeOffset now)
    {
        if (From is not null || To is not null)
        {
            return (From, To);
        }

        return Range switch
        {
            "1h" => (now.AddHours(-1), null),
            "24h" => (now.AddHours(-24), null),
            "7d" => (now.AddDays(-7), null),
            "30d" => (now.AddDays(-30), null),
            _ => (null, null),
        };
    }

    /// <summary>Reads the query string leniently: an unknown value is dropped and reported, never an error page.</summary>
    public static ExecutionsFilter Parse(IReadOnlyDictionary<string, string?> query, ICollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var filter = new ExecutionsFilter();

        if (Get("workflow") is { } workflow)
        {
            filter = filter with { Workflow = workflow.Length <= 80 ? workflow : null };
        }

        if (Get("status") is { } status)
        {
            var upper = status.ToUpperInvariant();
            if (Statuses.Contains(upper))
            {
                filter = filter with { Status = upper };
            }
            else
            {
                problems?.Add($"Unknown status \"{status}\" ignored; expected one of {string.Join(", ", Statuses)}.");
            }
        }

        if (Get("q") is { } search)
        {
            filter = filter with { Search = search.Length <= 80 ? search : search[..80] };
        }

        if (Get("reason") is { } reason)
        {
            if (Enum.TryParse<StopReasonClass>(reason, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                filter = filter with { Reason = parsed };
            }
            else
            {
                problems?.Add($"Unknown reason class \"{reason}\" ignored.");
            }
        }

        if (Get("range") is { } range)
        {
            if (Ranges.Contains(range))
            {
                filter = filter with { Range = range };
            }
            else
            {
                problems?.Add($"Unknown time range \"{range}\" ignored; expected one of {string.Join(", ", Ranges)}.");
            }
        }

        filter = filter with { From = FilterValues.ParseTime(Get("from"), "from", problems), To = FilterValues.ParseTime(Get("to"), "to", problems) };

        if (Get("sort") is { } sort)
        {
            var key = sort.TrimStart('-').ToLowerInvariant();
            if (SortKeys.Contains(key))
            {
                filter = filter with { Sort = key, Descending = Get("dir") is not "asc" };
            }
            else
            {
                problems?.Add($"Unknown sort \"{sort}\" ignored.");
            }
        }
        else if (Get("dir") is "asc")
        {
            filter = filter with { Descending = false };
        }

        if (Get("page") is { } page && int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100_000)
        {
            filter = filter with { Page = p };
        }

        if (Get("size") is { } size && int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && PageSizes.Contains(s))
        {
            filter = filter with { PageSize = s };
        }

        return filter;
    }

    /// <summary>The query parameters that differ from the defaults, in a stable order.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (Workflow is not null) yield return new("workflow", Workflow);
        if (Status is not null) yield return new("status", Status);
        if (Search is not null) yield return new("q", Search);
        if (Reason is not null) yield return new("reason", Reason.Value.ToString());
        if (Range is not null) yield return new("range", Range);
        if (From is not null) yield return new("from", FilterValues.FormatTime(From.Value));
        if (To is not null) yield return new("to", FilterValues.FormatTime(To.Value));
        if (Sort != "start") yield return new("sort", Sort);
        if (!Descending) yield return new("dir", "asc");
        if (Page != 1) yield return new("page", Page.ToString(CultureInfo.InvariantCulture));
        if (PageSize != DefaultPageSize) yield return new("size", PageSize.ToString(CultureInfo.InvariantCulture));
    }
}
