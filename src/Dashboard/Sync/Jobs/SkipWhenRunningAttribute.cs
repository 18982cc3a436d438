using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;

namespace BatchOps.Dashboard.Sync.Jobs;

/// <summary>
/// Skips a run while another run of the same job holds its lock, on this or any other instance sharing the storage
/// (Hangfire's own DisableConcurrentExecution waits for the lock and then fails, which would pile runs up). The lock
/// is a row in the PostgreSQL storage, so it must outlive the longest run: PostgreSqlStorageOptions.DistributedLockTimeout.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true)]
public sealed class SkipWhenRunningAttribute : JobFilterAttribute, IServerFilter
{
    private const string LockItem = "batchops:lock";

    public void OnPerforming(PerformingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            context.Items[LockItem] = context.Connection.AcquireDistributedLock(Resource(context.BackgroundJob.Job), TimeSpan.Zero);
        }
        catch (DistributedLockTimeoutException)
        {
            // Another run is under way: this one has nothing to add.
            context.Canceled = true;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(LockItem, out var held) && held is IDisposable lease)
        {
            lease.Dispose();
        }
    }

    private static string Resource(Job job) => $"batchops:job:{job.Type.FullName}.{job.Method.Name}";
}
