using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// Carries out operations of kinds another feature owns (schedules), so the executor, recovery and the ledger treat
/// them like the execution actions: recorded first, sent, retried after a throttle or restart, completed once.
/// </summary>
public interface IOperationSender
{
    bool Sends(OperationKind kind);

    /// <summary>Sends the operation (the caller holds its claim). A repeat after a restart must recognise its own earlier send.</summary>
    Task<OperationCompletion> SendAsync(OperationRecord operation, CancellationToken cancellationToken);
}
