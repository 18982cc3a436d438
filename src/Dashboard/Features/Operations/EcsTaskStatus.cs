using BatchOps.Aws.Ecs;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>Whether an ECS task still runs: ECS first (DescribeTasks), then the stopped tasks the sync captured (ECS forgets them after an hour).</summary>
public sealed class EcsTaskStatus(IAmazonECS ecs, IDbContextFactory<ReadModelDbContext> contexts)
{
    /// <summary>RUNNING, STOPPED, ... or null when neither ECS nor the read model knows the task.</summary>
    public async Task<string?> LastStatusAsync(string taskArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskArn);
        // arn:aws:ecs:region:account:task/cluster/id
        var parts = taskArn.Split('/');
        if (parts.Length >= 3)
        {
            var described = await ecs.DescribeTasksAsync(new DescribeTasksRequest { Cluster = parts[^2], Tasks = [taskArn] }, cancellationToken).ConfigureAwait(false);
            if (described.Tasks?.FirstOrDefault() is { LastStatus: { } status })
            {
                return status;
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.StoppedTasks.AsNoTracking().AnyAsync(t => t.TaskArn == taskArn, cancellationToken).ConfigureAwait(false) ? "STOPPED" : null;
    }
}
