using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.ReadModel;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace BatchOps.ReadModelBench;

/// <summary>One generated execution and its three ECS attempts (the last fails when the execution did).</summary>
internal readonly record struct GeneratedExecution(
    string Arn, string Workflow, string Name, string Status, DateTimeOffset Started, DateTimeOffset? Stopped, string? RedriveStatus, StopReasonClass? Reason)
{
    public bool Failed => Status is "FAILED" or "TIMED_OUT" or "ABORTED";

    public static IEnumerable<GeneratedExecution> Generate(int count, DateTimeOffset now)
    {
        var workflows = new[] { "batch-job", "callback-job", "nightly-batch", "orchestrator" };
        var jobs = new[] { "export", "import", "report", "sync", "rebuild", "settle" };
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var workflow = workflows[i % workflows.Length];
            // Whole seconds over 90 days, as the sync stores them (AWS's dates have millisecond precision).
            var started = now.AddSeconds(-random.Next(0, 90 * 24 * 3600));
            var roll = random.Next(100);
            var status = roll < 85 ? "SUCCEEDED" : roll < 93 ? "FAILED" : roll < 96 ? "RUNNING" : roll < 98 ? "TIMED_OUT" : "ABORTED";
            var failed = status is "FAILED" or "TIMED_OUT" or "ABORTED";
            var name = $"{jobs[i % jobs.Length]}-{started:yyyyMMdd-HHmmss}-{i:x5}";
            yield return new GeneratedExecution(
                $"arn:aws:states:us-east-1:123456789012:execution:{workflow}:{name}",
                workflow,
                name,
                status,
                started,
                status == "RUNNING" ? null : started.AddSeconds(random.Next(5, 3600)),
                failed ? (random.Next(3) == 0 ? "NOT_REDRIVABLE" : "REDRIVABLE") : null,
                failed ? (StopReasonClass)random.Next(1, 8) : null);
        }
    }

    public StopReasonClass AttemptReason(int attempt) => attempt < 3 ? StopReasonClass.ApplicationExit : Reason ?? StopReasonClass.Succeeded;

    public int ExitCode(int attempt) => attempt < 3 ? 2 : Reason == StopReasonClass.OutOfMemory ? 137 : Failed ? 1 : 0;

    /// <summary>The task definition family that ran it: one per workflow.</summary>
    public string Family => $"batchops-{Workflow}";

    public string TaskArn(int attempt) => $"{Arn}/task-{attempt}";

    public DateTimeOffset TaskStopped(int attempt) => Started.AddSeconds((attempt * 30) + 20);

    public string Outcome(int attempt) => attempt < 3 || Failed ? nameof(TaskRunOutcome.Failed) : nameof(TaskRunOutcome.Succeeded);
}

/// <summary>
/// The fastest way each provider takes a million rows (the bench's fill, not the dashboard's write path): SQLite one
/// prepared statement in large transactions, PostgreSQL binary COPY. The database's triggers run for every row, as
/// they do when the sync writes, so the counts and the name index are built the same way.
/// </summary>
internal static class BulkFill
{
    private static readonly DateTimeOffsetToBinaryConverter Binary = new();

    public static async Task SqliteAsync(string connectionString, IEnumerable<GeneratedExecution> rows)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        // The bulk path: the triggers off while rows go in, then the counts and the name index built once from the table
        // (what the migration does for existing rows), then the triggers back.
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;" + ExecutionCounts.Table.SqliteDrop + StoppedTaskCounts.Table.SqliteDrop + ExecutionNameSearch.SqliteDropTriggers);

        var transaction = connection.BeginTransaction();
        var execution = connection.CreateCommand();
        execution.CommandText = """
            INSERT INTO "executions" ("Arn", "StateMachineArn", "StateMachineName", "Name", "Status", "StartDate", "StopDate", "RedriveCount", "RedriveStatus", "Error", "ReasonClass", "EcsTaskCount", "NeedsHistory", "UpdatedAt")
            VALUES ($arn, $machine, $workflow, $name, $status, $start, $stop, 0, $redrive, $error, $reason, 3, 0, $updated)
            """;
        var taskRun = connection.CreateCommand();
        taskRun.CommandText = """
            INSERT INTO "task_runs" ("ExecutionArn", "ScheduledEventId", "StateName", "Attempt", "RedriveCount", "ResourceType", "Resource", "ScheduledAt", "EndedAt", "Outcome", "TaskArn", "StopCode", "StoppedReason", "ExitCode", "ReasonClass", "Retryable")
            VALUES ($arn, $attempt * 10, 'Run worker', $attempt, 0, 'ecs', 'runTask.sync', $scheduled, $ended, $outcome, $task, 'EssentialContainerExited', 'Essential container in task exited', $exit, $reason, $retryable)
            """;
        var stopped = connection.CreateCommand();
        stopped.CommandText = """
            INSERT INTO "stopped_tasks" ("TaskArn", "ClusterArn", "TaskDefinitionArn", "Family", "StartedBy", "StopCode", "StoppedReason", "ExitCode", "StartedAt", "StoppedAt", "ReasonClass", "Retryable", "CapturedAt")
            VALUES ($task, 'arn:aws:ecs:us-east-1:123456789012:cluster/batch', $definition, $family, 'AWS Step Functions', 'EssentialContainerExited', 'Essential container in task exited', $exit, $started, $stopped, $reason, $retryable, $stopped)
            """;
        var st = Parameters(stopped, "$task", "$definition", "$family", "$exit", "$started", "$stopped", "$reason", "$retryable");
        var e = Parameters(execution, "$arn", "$machine", "$workflow", "$name", "$status", "$start", "$stop", "$redrive", "$error", "$reason", "$updated");
        var t = Parameters(taskRun, "$arn", "$attempt", "$scheduled", "$ended", "$outcome", "$task", "$exit", "$reason", "$retryable");
        var written = 0;
        foreach (var row in rows)
        {
            execution.Transaction = taskRun.Transaction = stopped.Transaction = transaction;
            Set(e, row.Arn, Machine(row.Workflow), row.Workflow, row.Name, row.Status, Binary.ConvertToProvider(row.Started), row.Stopped is { } s ? Binary.ConvertToProvider(s) : null,
                row.RedriveStatus, row.Failed ? "States.TaskFailed" : null, row.Reason?.ToString(), Binary.ConvertToProvider(row.Started));
            await execution.ExecuteNonQueryAsync();
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                Set(t, row.Arn, attempt, Binary.ConvertToProvider(row.Started.AddSeconds(attempt * 30)), Binary.ConvertToProvider(row.TaskStopped(attempt)),
                    row.Outcome(attempt), row.TaskArn(attempt), row.ExitCode(attempt), row.AttemptReason(attempt).ToString(), attempt < 3 ? 1 : 0);
                await taskRun.ExecuteNonQueryAsync();
                Set(st, row.TaskArn(attempt), $"arn:aws:ecs:us-east-1:123456789012:task-definition/{row.Family}:1", row.Family, row.ExitCode(attempt),
                    Binary.ConvertToProvider(row.Started.AddSeconds(attempt * 30)), Binary.ConvertToProvider(row.TaskStopped(attempt)), row.AttemptReason(attempt).ToString(), attempt < 3 ? 1 : 0);
                await stopped.ExecuteNonQueryAsync();
            }

            if (++written % 50_000 == 0)
            {
                await transaction.CommitAsync();
                await transaction.DisposeAsync();
                transaction = connection.BeginTransaction();
            }
        }

        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        await execution.DisposeAsync();
        await taskRun.DisposeAsync();
        await stopped.DisposeAsync();
        await ExecuteAsync(connection, ExecutionCounts.Table.SqliteBackfill + StoppedTaskCounts.Table.SqliteBackfill + ExecutionNameSearch.SqliteRebuild
            + ExecutionCounts.Table.SqliteTriggers + StoppedTaskCounts.Table.SqliteTriggers + ExecutionNameSearch.SqliteTriggers);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task PostgresAsync(string connectionString, IEnumerable<GeneratedExecution> rows)
    {
        var all = rows.ToList();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The bulk path: row triggers off while COPY runs, then the counts computed once from the table (what the
        // migration does for existing rows); the name index is an ordinary index and builds as rows arrive.
        await using (var off = new NpgsqlCommand("""ALTER TABLE "executions" DISABLE TRIGGER USER; ALTER TABLE "stopped_tasks" DISABLE TRIGGER USER;""", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY "executions" ("Arn", "StateMachineArn", "StateMachineName", "Name", "Status", "StartDate", "StopDate", "RedriveCount", "RedriveStatus", "Error", "ReasonClass", "EcsTaskCount", "NeedsHistory", "UpdatedAt") FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var row in all)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(row.Arn, NpgsqlDbType.Text);
                await writer.WriteAsync(Machine(row.Workflow), NpgsqlDbType.Text);
                await writer.WriteAsync(row.Workflow, NpgsqlDbType.Text);
                await writer.WriteAsync(row.Name, NpgsqlDbType.Text);
                await writer.WriteAsync(row.Status, NpgsqlDbType.Text);
                await writer.WriteAsync(row.Started, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(writer, row.Stopped, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(0, NpgsqlDbType.Integer);
                await WriteNullableAsync(writer, row.RedriveStatus, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, row.Failed ? "States.TaskFailed" : null, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, row.Reason?.ToString(), NpgsqlDbType.Varchar);
                await writer.WriteAsync(3, NpgsqlDbType.Integer);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean);
                await writer.WriteAsync(row.Started, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY "task_runs" ("ExecutionArn", "ScheduledEventId", "StateName", "Attempt", "RedriveCount", "ResourceType", "Resource", "ScheduledAt", "EndedAt", "Outcome", "TaskArn", "StopCode", "StoppedReason", "ExitCode", "ReasonClass", "Retryable") FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var row in all)
            {
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(row.Arn, NpgsqlDbType.Text);
                    await writer.WriteAsync(attempt * 10L, NpgsqlDbType.Bigint);
                    await writer.WriteAsync("Run worker", NpgsqlDbType.Text);
                    await writer.WriteAsync(attempt, NpgsqlDbType.Integer);
                    await writer.WriteAsync(0, NpgsqlDbType.Integer);
                    await writer.WriteAsync("ecs", NpgsqlDbType.Text);
                    await writer.WriteAsync("runTask.sync", NpgsqlDbType.Text);
                    await writer.WriteAsync(row.Started.AddSeconds(attempt * 30), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(row.TaskStopped(attempt), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(row.Outcome(attempt), NpgsqlDbType.Varchar);
                    await writer.WriteAsync(row.TaskArn(attempt), NpgsqlDbType.Text);
                    await writer.WriteAsync("EssentialContainerExited", NpgsqlDbType.Text);
                    await writer.WriteAsync("Essential container in task exited", NpgsqlDbType.Text);
                    await writer.WriteAsync(row.ExitCode(attempt), NpgsqlDbType.Integer);
                    await writer.WriteAsync(row.AttemptReason(attempt).ToString(), NpgsqlDbType.Varchar);
                    await writer.WriteAsync(attempt < 3, NpgsqlDbType.Boolean);
                }
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY "stopped_tasks" ("TaskArn", "ClusterArn", "TaskDefinitionArn", "Family", "StartedBy", "StopCode", "StoppedReason", "ExitCode", "StartedAt", "StoppedAt", "ReasonClass", "Retryable", "CapturedAt") FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var row in all)
            {
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(row.TaskArn(attempt), NpgsqlDbType.Text);
                    await writer.WriteAsync("arn:aws:ecs:us-east-1:123456789012:cluster/batch", NpgsqlDbType.Text);
                    await writer.WriteAsync($"arn:aws:ecs:us-east-1:123456789012:task-definition/{row.Family}:1", NpgsqlDbType.Text);
                    await writer.WriteAsync(row.Family, NpgsqlDbType.Text);
                    await writer.WriteAsync("AWS Step Functions", NpgsqlDbType.Text);
                    await writer.WriteAsync("EssentialContainerExited", NpgsqlDbType.Text);
                    await writer.WriteAsync("Essential container in task exited", NpgsqlDbType.Text);
                    await writer.WriteAsync(row.ExitCode(attempt), NpgsqlDbType.Integer);
                    await writer.WriteAsync(row.Started.AddSeconds(attempt * 30), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(row.TaskStopped(attempt), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(row.AttemptReason(attempt).ToString(), NpgsqlDbType.Varchar);
                    await writer.WriteAsync(attempt < 3, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(row.TaskStopped(attempt), NpgsqlDbType.TimestampTz);
                }
            }

            await writer.CompleteAsync();
        }

        await using (var on = new NpgsqlCommand($"""
            {ExecutionCounts.Table.PostgresBackfill} {StoppedTaskCounts.Table.PostgresBackfill}
            ALTER TABLE "executions" ENABLE TRIGGER USER; ALTER TABLE "stopped_tasks" ENABLE TRIGGER USER;
            """, connection))
        {
            await on.ExecuteNonQueryAsync();
        }
    }

    private static string Machine(string workflow) => $"arn:aws:states:us-east-1:123456789012:stateMachine:{workflow}";

    private static SqliteParameter[] Parameters(SqliteCommand command, params string[] names) =>
        [.. names.Select(n => command.Parameters.Add(new SqliteParameter { ParameterName = n }))];

    private static void Set(SqliteParameter[] parameters, params object?[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            await writer.WriteNullAsync();
        }
        else
        {
            await writer.WriteAsync(value, type);
        }
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, DateTimeOffset? value, NpgsqlDbType type)
    {
        if (value is { } v)
        {
            await writer.WriteAsync(v, type);
        }
        else
        {
            await writer.WriteNullAsync();
        }
    }
}
