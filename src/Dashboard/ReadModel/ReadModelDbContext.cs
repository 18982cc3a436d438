using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>
/// The read model the pages query. One model, two providers: each has its own context type so each keeps its own
/// migrations (ReadModel/Migrations/Sqlite, ReadModel/Migrations/Postgres). It also holds the data-protection key ring,
/// so every instance (and a restarted one) reads the cookies and antiforgery tokens the others issued.
/// </summary>
public abstract class ReadModelDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<StateMachineRecord> StateMachines => Set<StateMachineRecord>();
    public DbSet<ExecutionRecord> Executions => Set<ExecutionRecord>();
    public DbSet<ExecutionCountRecord> ExecutionCounts => Set<ExecutionCountRecord>();
    public DbSet<TaskRunRecord> TaskRuns => Set<TaskRunRecord>();
    public DbSet<RedriveRecord> Redrives => Set<RedriveRecord>();
    public DbSet<ExecutionHistoryRecord> Histories => Set<ExecutionHistoryRecord>();
    public DbSet<ExecutionHistoryChunkRecord> HistoryChunks => Set<ExecutionHistoryChunkRecord>();
    public DbSet<StoppedTaskRecord> StoppedTasks => Set<StoppedTaskRecord>();
    public DbSet<StoppedTaskCountRecord> StoppedTaskCounts => Set<StoppedTaskCountRecord>();
    public DbSet<SyncCursorRecord> SyncCursors => Set<SyncCursorRecord>();
    public DbSet<SyncRunRecord> SyncRuns => Set<SyncRunRecord>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<OperationRecord> Operations => Set<OperationRecord>();
    public DbSet<ScheduleRecord> Schedules => Set<ScheduleRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<StateMachineRecord>(e =>
        {
            e.ToTable("state_machines");
            e.HasKey(x => x.Arn);
            e.HasIndex(x => x.Name);
        });
        modelBuilder.Entity<ExecutionRecord>(e =>
        {
            e.ToTable("executions");
            e.HasKey(x => x.Arn);
            e.Property(x => x.ReasonClass).HasConversion<string>().HasMaxLength(32);
            // The list is newest first, filtered by status and/or workflow: these indexes serve each combination (its counts
            // come from execution_counts). (StartDate, Arn): newest first with its tie-breaker straight from the index.
            e.HasIndex(x => new { x.StartDate, x.Arn });
            e.HasIndex(x => new { x.Status, x.StartDate });
            // REDRIVABLE is a small slice of a large table: a partial index holds just it, newest first. Its filter is the one
            // term every REDRIVABLE query has word for word, which is what SQLite needs to see that the index applies.
            e.HasIndex(x => new { x.StartDate, x.Arn }, "IX_executions_Redrivable").HasFilter("\"RedriveStatus\" = 'REDRIVABLE'");
            e.HasIndex(x => new { x.StateMachineName, x.StartDate });
            e.HasIndex(x => new { x.StateMachineName, x.Status, x.StartDate });
            e.HasIndex(x => new { x.StateMachineName, x.Name });
            e.HasIndex(x => new { x.StateMachineArn, x.Status });
            e.HasIndex(x => new { x.ReasonClass, x.StartDate });
            // Partial: almost every row has none, and an index full of NULLs looks useless to SQLite's planner after ANALYZE.
            e.HasIndex(x => x.RerunOfArn).HasFilter("\"RerunOfArn\" IS NOT NULL");
            e.HasIndex(x => x.NeedsHistory);
            e.Property(x => x.HistoryError).HasMaxLength(1000);
        });
        modelBuilder.Entity<ExecutionCountRecord>(e =>
        {
            e.ToTable("execution_counts");
            e.HasKey(x => new { x.Grain, x.Bucket, x.Workflow, x.Status, x.Redrivable, x.Reason });
            e.Property(x => x.Reason).HasMaxLength(32);
        });
        modelBuilder.Entity<TaskRunRecord>(e =>
        {
            e.ToTable("task_runs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.ReasonClass).HasConversion<string>().HasMaxLength(32);
            e.HasIndex(x => new { x.ExecutionArn, x.ScheduledAt });
            // A page's refresh racing the sync cannot store an attempt twice.
            e.HasIndex(x => new { x.ExecutionArn, x.ScheduledEventId }).IsUnique();
            e.HasIndex(x => x.TaskArn);
            e.HasIndex(x => x.ChildExecutionArn).HasFilter("\"ChildExecutionArn\" IS NOT NULL");
        });
        modelBuilder.Entity<RedriveRecord>(e =>
        {
            e.ToTable("redrives");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ExecutionArn, x.RedriveCount }).IsUnique();
            e.HasIndex(x => x.RedrivenAt);
        });
        modelBuilder.Entity<ExecutionHistoryRecord>(e =>
        {
            e.ToTable("execution_histories");
            e.HasKey(x => x.ExecutionArn);
        });
        modelBuilder.Entity<ExecutionHistoryChunkRecord>(e =>
        {
            e.ToTable("execution_history_chunks");
            e.HasKey(x => new { x.ExecutionArn, x.Sequence });
        });
        modelBuilder.Entity<StoppedTaskRecord>(e =>
        {
            e.ToTable("stopped_tasks");
            e.HasKey(x => x.TaskArn);
            e.Property(x => x.ReasonClass).HasConversion<string>().HasMaxLength(32);
            // Newest first with a stable tie-break, and one index per filter the page offers that reads in that order
            // (with the tie-break in the index, SQLite need not sort, so it does not prefer scanning by time instead).
            e.HasIndex(x => new { x.StoppedAt, x.TaskArn });
            e.HasIndex(x => new { x.ReasonClass, x.StoppedAt, x.TaskArn });
            e.HasIndex(x => new { x.Family, x.StoppedAt, x.TaskArn });
            e.HasIndex(x => new { x.ExitCode, x.StoppedAt, x.TaskArn });
        });
        modelBuilder.Entity<StoppedTaskCountRecord>(e =>
        {
            e.ToTable("stopped_task_counts");
            e.HasKey(x => new { x.Grain, x.Bucket, x.Family, x.Reason, x.ExitCode });
            e.Property(x => x.Reason).HasMaxLength(32);
        });
        modelBuilder.Entity<SyncCursorRecord>(e =>
        {
            e.ToTable("sync_cursors");
            e.HasKey(x => x.Key);
        });
        modelBuilder.Entity<SyncRunRecord>(e =>
        {
            e.ToTable("sync_runs");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Job, x.StartedAt });
        });
        modelBuilder.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));
        modelBuilder.Entity<OperationRecord>(e =>
        {
            e.ToTable("operations");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.IdempotencyKey).HasMaxLength(100);
            e.Property(x => x.RequestHash).HasMaxLength(64);
            e.HasIndex(x => new { x.IdempotencyKey, x.Generation }).IsUnique();
            // The audit page: newest first, by who, what, which workflow and how it ended.
            e.HasIndex(x => x.RequestedAt);
            e.HasIndex(x => new { x.Actor, x.RequestedAt });
            e.HasIndex(x => new { x.Kind, x.RequestedAt });
            e.HasIndex(x => new { x.Workflow, x.RequestedAt });
            e.HasIndex(x => new { x.Status, x.ClaimedUntil });
            e.HasIndex(x => new { x.ParentId, x.Position });
            e.HasIndex(x => x.TargetArn);
        });
        modelBuilder.Entity<ScheduleRecord>(e =>
        {
            e.ToTable("schedules");
            e.HasKey(x => new { x.GroupName, x.Name });
            e.HasIndex(x => x.TargetArn);
        });
    }
}

/// <summary>SQLite (the default): one file, no server.</summary>
public sealed class SqliteReadModelDbContext(DbContextOptions<SqliteReadModelDbContext> options) : ReadModelDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // SQLite has no timestamp type that sorts and compares: store UTC ticks, which do.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>PostgreSQL (production, several dashboard instances). Hangfire keeps its job storage beside it, in its own schema.</summary>
public sealed class PostgresReadModelDbContext(DbContextOptions<PostgresReadModelDbContext> options) : ReadModelDbContext(options);
