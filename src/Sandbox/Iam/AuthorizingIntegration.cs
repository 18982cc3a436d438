using System.Text.Json.Nodes;
using BatchOps.Sandbox.Asl;

namespace BatchOps.Sandbox.Iam;

/// <summary>
/// A service integration that makes its calls as the state machine's role: before the call (ecs:RunTask with the
/// roles it passes, states:StartExecution, the managed rule of a .sync task), while following the job
/// (ecs:DescribeTasks, states:DescribeExecution) and when stopping it. A refusal fails the Task state as AWS fails it.
/// </summary>
public sealed class AuthorizingIntegration(ITaskIntegration inner, SandboxIam iam, SandboxPermissions permissions) : ITaskIntegration
{
    public bool Handles(string resourceType, string action) => inner.Handles(resourceType, action);

    public Task<JsonNode?> StartAsync(TaskCall call, CancellationToken cancellationToken)
    {
        Authorize(call, permissions.ForIntegrationStart(call));
        return inner.StartAsync(call, cancellationToken);
    }

    public Task<JsonNode?> WaitAsync(TaskCall call, JsonNode? started, CancellationToken cancellationToken)
    {
        Authorize(call, permissions.ForIntegrationWait(call, started));
        return inner.WaitAsync(call, started, cancellationToken);
    }

    public Task CancelAsync(TaskCall call, JsonNode? started)
    {
        ArgumentNullException.ThrowIfNull(call);
        // A role that may not stop the job leaves it running, as on AWS.
        return iam.Check(Principal(call), permissions.ForIntegrationCancel(call, started)) is null ? inner.CancelAsync(call, started) : Task.CompletedTask;
    }

    private void Authorize(TaskCall call, IReadOnlyList<AuthorizationRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (iam.Check(Principal(call), requests) is { } refused)
        {
            throw SandboxPermissions.Refusal(call, refused);
        }
    }

    // Step Functions assumes the role with a session of its own per execution.
    private static SandboxPrincipal Principal(TaskCall call) => SandboxPrincipal.OfRole(call.Execution.RoleArn, call.Execution.Name);
}
