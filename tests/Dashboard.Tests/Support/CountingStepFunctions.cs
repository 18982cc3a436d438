using System.Collections.Concurrent;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>Counts calls per operation on the way to the real client (the sync's request budget).</summary>
public sealed class CountingStepFunctions(IAmazonStepFunctions inner) : IAmazonStepFunctions
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ListExecutionsRequest> _listExecutions = new();
    private readonly ConcurrentQueue<(GetExecutionHistoryRequest Request, int Events)> _histories = new();

    public int Calls(string operation) => _calls.GetValueOrDefault(operation);

    public IReadOnlyList<ListExecutionsRequest> ListExecutionsRequests => [.. _listExecutions];

    /// <summary>Each GetExecutionHistory request answered, with how many events its page held.</summary>
    public IReadOnlyList<(GetExecutionHistoryRequest Request, int Events)> HistoryRequests => [.. _histories];

    public void Reset()
    {
        _calls.Clear();
        _listExecutions.Clear();
        _histories.Clear();
    }

    private T Count<T>(string operation, T result)
    {
        _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return result;
    }

    public Task<ListStateMachinesResponse> ListStateMachinesAsync(ListStateMachinesRequest request, CancellationToken cancellationToken = default) => Count("ListStateMachines", inner.ListStateMachinesAsync(request, cancellationToken));
    public Task<DescribeStateMachineResponse> DescribeStateMachineAsync(DescribeStateMachineRequest request, CancellationToken cancellationToken = default) => Count("DescribeStateMachine", inner.DescribeStateMachineAsync(request, cancellationToken));
    public Task<DescribeStateMachineForExecutionResponse> DescribeStateMachineForExecutionAsync(DescribeStateMachineForExecutionRequest request, CancellationToken cancellationToken = default) => Count("DescribeStateMachineForExecution", inner.DescribeStateMachineForExecutionAsync(request, cancellationToken));

    public Task<ListExecutionsResponse> ListExecutionsAsync(ListExecutionsRequest request, CancellationToken cancellationToken = default)
    {
        _listExecutions.Enqueue(request);
        return Count("ListExecutions", inner.ListExecutionsAsync(request, cancellationToken));
    }

    public Task<DescribeExecutionResponse> DescribeExecutionAsync(DescribeExecutionRequest request, CancellationToken cancellationToken = default) => Count("DescribeExecution", inner.DescribeExecutionAsync(request, cancellationToken));
    public async Task<GetExecutionHistoryResponse> GetExecutionHistoryAsync(GetExecutionHistoryRequest request, CancellationToken cancellationToken = default)
    {
        var page = await Count("GetExecutionHistory", inner.GetExecutionHistoryAsync(request, cancellationToken)).ConfigureAwait(false);
        _histories.Enqueue((request, page.Events.Count));
        return page;
    }

    public Task<StartExecutionResponse> StartExecutionAsync(StartExecutionRequest request, CancellationToken cancellationToken = default) => Count("StartExecution", inner.StartExecutionAsync(request, cancellationToken));
    public Task<StopExecutionResponse> StopExecutionAsync(StopExecutionRequest request, CancellationToken cancellationToken = default) => Count("StopExecution", inner.StopExecutionAsync(request, cancellationToken));
    public Task<RedriveExecutionResponse> RedriveExecutionAsync(RedriveExecutionRequest request, CancellationToken cancellationToken = default) => Count("RedriveExecution", inner.RedriveExecutionAsync(request, cancellationToken));
    public Task<SendTaskSuccessResponse> SendTaskSuccessAsync(SendTaskSuccessRequest request, CancellationToken cancellationToken = default) => Count("SendTaskSuccess", inner.SendTaskSuccessAsync(request, cancellationToken));
    public Task<SendTaskFailureResponse> SendTaskFailureAsync(SendTaskFailureRequest request, CancellationToken cancellationToken = default) => Count("SendTaskFailure", inner.SendTaskFailureAsync(request, cancellationToken));
    public Task<SendTaskHeartbeatResponse> SendTaskHeartbeatAsync(SendTaskHeartbeatRequest request, CancellationToken cancellationToken = default) => Count("SendTaskHeartbeat", inner.SendTaskHeartbeatAsync(request, cancellationToken));
    public Task<CreateStateMachineResponse> CreateStateMachineAsync(CreateStateMachineRequest request, CancellationToken cancellationToken = default) => Count("CreateStateMachine", inner.CreateStateMachineAsync(request, cancellationToken));
    public Task<DeleteStateMachineResponse> DeleteStateMachineAsync(DeleteStateMachineRequest request, CancellationToken cancellationToken = default) => Count("DeleteStateMachine", inner.DeleteStateMachineAsync(request, cancellationToken));
    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default) => Count("ListTagsForResource", inner.ListTagsForResourceAsync(request, cancellationToken));

    public Task<UpdateStateMachineResponse> UpdateStateMachineAsync(UpdateStateMachineRequest request, CancellationToken cancellationToken = default) => Count("UpdateStateMachine", inner.UpdateStateMachineAsync(request, cancellationToken));

    public Task<TagResourceResponse> TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken = default) => Count("TagResource", inner.TagResourceAsync(request, cancellationToken));

    public Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default) => Count("UntagResource", inner.UntagResourceAsync(request, cancellationToken));
}
