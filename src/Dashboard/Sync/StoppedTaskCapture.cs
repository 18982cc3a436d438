using BatchOps.Aws.Runtime;
using BatchOps.Aws.Ecs;
using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Sync;

/// <summary>
/// Copies stopped ECS tasks into the read model before ECS forgets them (about an hour after they stop): per cluster,
/// ListTasks(desiredStatus=STOPPED), then DescribeTasks for the ones not captured yet, 100 at a time.
/// </summary>
public sealed partial class StoppedTaskCapture(
    IAmazonECS ecs,
    Microsoft.Extensions.Options.IOptions<SyncOptions> options,
    IDbContextFactory<ReadModelDbContext> contexts,
    TimeProvider time,
    ReadModelChanges changes,
    ILogger<StoppedTaskCapture> logger)
{
    public static string CursorKey(string clusterArn) => "stopped-tasks:" + clusterArn;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // The configured clusters (the stack's), or every cluster in the account and region.
        var clusters = new List<string>(options.Value.Clusters);
        if (clusters.Count == 0)
        {
            await foreach (var arn in ecs.ListClustersItemsAsync(new ListClustersRequest(), cancellationToken).ConfigureAwait(false))
            {
                clusters.Add(arn);
            }
        }

        var captured = 0;
        var failures = new List<string>();
        foreach (var cluster in clusters)
        {
            try
            {
                captured += await CaptureClusterAsync(cluster, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (!cancellationToken.IsCancellationRequested)
            {
                // A cluster this role may not read must not keep the others' stopped tasks from being captured
                // before ECS forgets them.
                failures.Add($"{cluster[(cluster.LastIndexOf('/') + 1)..]}: {e.ErrorCode}: {e.ErrorMessage}");
            }
        }

        if (captured > 0)
        {
            changes.Publish(ReadModelChangeKind.StoppedTasks);
        }

        return failures.Count > 0
            ? throw new SyncPartlyFailedException($"Captured {clusters.Count - failures.Count} of {clusters.Count} clusters; could not read {string.Join("; ", failures)}")
            : captured;
    }

    private async Task<int> CaptureClusterAsync(string cluster, CancellationToken cancellationToken)
    {
        var listed = new List<string>();
        await foreach (var arn in ecs.ListTasksItemsAsync(new ListTasksRequest { Cluster = cluster, DesiredStatus = "STOPPED", MaxResults = 100 }, cancellationToken).ConfigureAwait(false))
        {
            listed.Add(arn);
        }

        if (listed.Count == 0)
        {
            return 0;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var known = (await db.StoppedTasks.AsNoTracking().Where(t => listed.Contains(t.TaskArn)).Select(t => t.TaskArn).ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var fresh = listed.Where(a => !known.Contains(a)).ToList();
        var captured = 0;
        foreach (var batch in fresh.Chunk(100))
        {
            var described = await ecs.DescribeTasksAsync(new DescribeTasksRequest { Cluster = cluster, Tasks = [.. batch] }, cancellationToken).ConfigureAwait(false);
            foreach (var task in described.Tasks ?? [])
            {
                // desiredStatus STOPPED includes tasks still stopping: capture them once they have stopped.
                if (task.TaskArn is null || task.LastStatus != "STOPPED")
                {
                    continue;
                }

                db.StoppedTasks.Add(Map(task, cluster, time.GetUtcNow()));
                captured++;
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (captured > 0)
        {
            LogCaptured(captured, cluster);
        }

        return captured;
    }

    internal static StoppedTaskRecord Map(EcsTask task, string cluster, DateTimeOffset capturedAt)
    {
        var container = task.Containers?.FirstOrDefault();
        var classification = StopReasonClassifier.Classify(new StoppedTaskFacts(task.StopCode, task.StoppedReason, container?.ExitCode, container?.Reason));
        return new StoppedTaskRecord
        {
            TaskArn = task.TaskArn!,
            ClusterArn = task.ClusterArn ?? cluster,
            TaskDefinitionArn = task.TaskDefinitionArn,
            Family = FamilyOf(task.TaskDefinitionArn),
            Group = task.Group,
            StartedBy = task.StartedBy,
            StopCode = task.StopCode,
            StoppedReason = StoredHistory.Cut(task.StoppedReason, 2048),
            ExitCode = container?.ExitCode,
            ContainerReason = StoredHistory.Cut(container?.Reason, 2048),
            CreatedAt = task.CreatedAt?.ToUniversalTime(),
            StartedAt = task.StartedAt?.ToUniversalTime(),
            StoppedAt = (task.StoppedAt ?? task.ExecutionStoppedAt ?? capturedAt).ToUniversalTime(),
            ReasonClass = classification.Class,
            Retryable = classification.Retryable,
            CapturedAt = capturedAt,
        };
    }

    /// <summary>arn:aws:ecs:region:account:task-definition/family:revision → family.</summary>
    public static string? FamilyOf(string? taskDefinitionArn)
    {
        if (taskDefinitionArn is null)
        {
            return null;
        }

        var slash = taskDefinitionArn.LastIndexOf('/');
        var name = slash >= 0 ? taskDefinitionArn[(slash + 1)..] : taskDefinitionArn;
        var colon = name.LastIndexOf(':');
        return colon > 0 ? name[..colon] : name;
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Captured {Count} stopped tasks in {Cluster}")]
    private partial void LogCaptured(int count, string cluster);
}
