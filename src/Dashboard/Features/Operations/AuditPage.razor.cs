using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>The ledger as an audit log: filters in the URL, newest first, live, with a CSV export of what the filters select.</summary>
public sealed partial class AuditPage
{
    private AuditFilter filter = new();
    private AuditResults? page;
    private List<string> problems = [];

    [Inject] public required OperationQueries Queries { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    protected override void OnInitialized() => Watch(ReadModelChangeKind.Operations, LoadAsync);

    protected override async Task OnParametersSetAsync()
    {
        problems = [];
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        filter = AuditFilter.Parse(query, problems);
        await LoadAsync(Disposing);
    }

    private async Task LoadAsync(CancellationToken cancellationToken) => page = await Queries.GetPageAsync(filter, cancellationToken);

    private void Go(AuditFilter next) => Navigation.NavigateTo(DashboardUrls.Audit(next));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private static string Name(string arn) => arn[(arn.LastIndexOf(':') + 1)..];

    private static string Count(OperationView bulk) =>
        bulk.Parameters is { } p && System.Text.Json.JsonSerializer.Deserialize<BulkParameters>(p, OperationJson.Options) is { } b ? b.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
}
