using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.Components;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>One operation from the ledger; for a bulk operation its items and progress, live, with a cancel button.</summary>
public sealed partial class OperationPage
{
    private OperationDetail? detail;
    private bool loaded;
    private OperationResult? cancelResult;

    [Parameter] public long Id { get; set; }

    [Inject] public required OperationQueries Queries { get; init; }
    [Inject] public required BulkOperations Bulk { get; init; }
    [Inject] public required CurrentOperator Operator { get; init; }

    private bool IsBulk => detail?.Operation.Kind is OperationKind.BulkRedrive or OperationKind.BulkStop;

    private int Total => detail?.ItemCounts.Values.Sum() ?? 0;

    private int Done => detail?.ItemCounts.Where(c => c.Key is not (OperationStatus.Queued or OperationStatus.Pending)).Sum(c => c.Value) ?? 0;

    protected override void OnInitialized() => Watch(ReadModelChangeKind.Operations, LoadAsync);

    protected override Task OnParametersSetAsync() => LoadAsync(Disposing);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        detail = await Queries.GetAsync(Id, cancellationToken);
        loaded = true;
    }

    private async Task CancelAsync()
    {
        var result = await Bulk.CancelAsync(await Operator.GetAsync(), Id, CancellationToken.None);
        cancelResult = result.Kind == OperationResultKind.Accepted ? null : result;
        await LoadAsync(Disposing);
    }

    private static string Name(string? arn) => arn is null ? "" : arn[(arn.LastIndexOf(':') + 1)..];
}
