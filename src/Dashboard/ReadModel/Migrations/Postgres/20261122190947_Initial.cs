using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "execution_histories",
                columns: table => new
                {
                    ExecutionArn = table.Column<string>(type: "text", nullable: false),
                    EventCount = table.Column<int>(type: "integer", nullable: false),
                    EventsJson = table.Column<string>(type: "text", nullable: false),
                    FetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_execution_histories", x => x.ExecutionArn);
                });

            migrationBuilder.CreateTable(
                name: "executions",
                columns: table => new
                {
                    Arn = table.Column<string>(type: "text", nullable: false),
                    StateMachineArn = table.Column<string>(type: "text", nullable: false),
                    StateMachineName = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    StartDate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StopDate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RedriveCount = table.Column<int>(type: "integer", nullable: false),
                    RedriveDate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RedriveStatus = table.Column<string>(type: "text", nullable: true),
                    Error = table.Column<string>(type: "text", nullable: true),
                    Cause = table.Column<string>(type: "text", nullable: true),
                    Input = table.Column<string>(type: "text", nullable: true),
                    Output = table.Column<string>(type: "text", nullable: true),
                    ReasonClass = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    EcsTaskCount = table.Column<int>(type: "integer", nullable: false),
                    RerunOfArn = table.Column<string>(type: "text", nullable: true),
                    NeedsHistory = table.Column<bool>(type: "boolean", nullable: false),
                    HistoryFetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_executions", x => x.Arn);
                });

            migrationBuilder.CreateTable(
                name: "redrives",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ExecutionArn = table.Column<string>(type: "text", nullable: false),
                    RedriveCount = table.Column<int>(type: "integer", nullable: false),
                    RedrivenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_redrives", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "state_machines",
                columns: table => new
                {
                    Arn = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_state_machines", x => x.Arn);
                });

            migrationBuilder.CreateTable(
                name: "stopped_tasks",
                columns: table => new
                {
                    TaskArn = table.Column<string>(type: "text", nullable: false),
                    ClusterArn = table.Column<string>(type: "text", nullable: false),
                    TaskDefinitionArn = table.Column<string>(type: "text", nullable: true),
                    Family = table.Column<string>(type: "text", nullable: true),
                    Group = table.Column<string>(type: "text", nullable: true),
                    StartedBy = table.Column<string>(type: "text", nullable: true),
                    StopCode = table.Column<string>(type: "text", nullable: true),
                    StoppedReason = table.Column<string>(type: "text", nullable: true),
                    ExitCode = table.Column<int>(type: "integer", nullable: true),
                    ContainerReason = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StoppedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReasonClass = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Retryable = table.Column<bool>(type: "boolean", nullable: false),
                    CapturedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stopped_tasks", x => x.TaskArn);
                });

            migrationBuilder.CreateTable(
                name: "sync_cursors",
                columns: table => new
                {
                    Key = table.Column<string>(type: "text", nullable: false),
                    NewestStartDate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NewestArn = table.Column<string>(type: "text", nullable: true),
                    LastSuccessAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    ConsecutiveFailures = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_cursors", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "task_runs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ExecutionArn = table.Column<string>(type: "text", nullable: false),
                    StateName = table.Column<string>(type: "text", nullable: false),
                    Attempt = table.Column<int>(type: "integer", nullable: false),
                    RedriveCount = table.Column<int>(type: "integer", nullable: false),
                    ResourceType = table.Column<string>(type: "text", nullable: false),
                    Resource = table.Column<string>(type: "text", nullable: false),
                    ScheduledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    Cause = table.Column<string>(type: "text", nullable: true),
                    TaskArn = table.Column<string>(type: "text", nullable: true),
                    ClusterArn = table.Column<string>(type: "text", nullable: true),
                    TaskDefinitionArn = table.Column<string>(type: "text", nullable: true),
                    StopCode = table.Column<string>(type: "text", nullable: true),
                    StoppedReason = table.Column<string>(type: "text", nullable: true),
                    ExitCode = table.Column<int>(type: "integer", nullable: true),
                    ReasonClass = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Retryable = table.Column<bool>(type: "boolean", nullable: true),
                    ChildExecutionArn = table.Column<string>(type: "text", nullable: true),
                    DelayBeforeNextSeconds = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_task_runs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_executions_NeedsHistory",
                table: "executions",
                column: "NeedsHistory");

            migrationBuilder.CreateIndex(
                name: "IX_executions_ReasonClass_StartDate",
                table: "executions",
                columns: new[] { "ReasonClass", "StartDate" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_RerunOfArn",
                table: "executions",
                column: "RerunOfArn");

            migrationBuilder.CreateIndex(
                name: "IX_executions_StartDate",
                table: "executions",
                column: "StartDate");

            migrationBuilder.CreateIndex(
                name: "IX_executions_StateMachineArn_Status",
                table: "executions",
                columns: new[] { "StateMachineArn", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_StateMachineName_Name",
                table: "executions",
                columns: new[] { "StateMachineName", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_StateMachineName_StartDate",
                table: "executions",
                columns: new[] { "StateMachineName", "StartDate" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_StateMachineName_Status_StartDate",
                table: "executions",
                columns: new[] { "StateMachineName", "Status", "StartDate" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_Status_RedriveStatus",
                table: "executions",
                columns: new[] { "Status", "RedriveStatus" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_Status_StartDate",
                table: "executions",
                columns: new[] { "Status", "StartDate" });

            migrationBuilder.CreateIndex(
                name: "IX_redrives_ExecutionArn_RedriveCount",
                table: "redrives",
                columns: new[] { "ExecutionArn", "RedriveCount" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_redrives_RedrivenAt",
                table: "redrives",
                column: "RedrivenAt");

            migrationBuilder.CreateIndex(
                name: "IX_state_machines_Name",
                table: "state_machines",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_Family_StoppedAt",
                table: "stopped_tasks",
                columns: new[] { "Family", "StoppedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_ReasonClass_StoppedAt",
                table: "stopped_tasks",
                columns: new[] { "ReasonClass", "StoppedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_StoppedAt",
                table: "stopped_tasks",
                column: "StoppedAt");

            migrationBuilder.CreateIndex(
                name: "IX_task_runs_ChildExecutionArn",
                table: "task_runs",
                column: "ChildExecutionArn");

            migrationBuilder.CreateIndex(
                name: "IX_task_runs_ExecutionArn_ScheduledAt",
                table: "task_runs",
                columns: new[] { "ExecutionArn", "ScheduledAt" });

            migrationBuilder.CreateIndex(
                name: "IX_task_runs_TaskArn",
                table: "task_runs",
                column: "TaskArn");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "execution_histories");

            migrationBuilder.DropTable(
                name: "executions");

            migrationBuilder.DropTable(
                name: "redrives");

            migrationBuilder.DropTable(
                name: "state_machines");

            migrationBuilder.DropTable(
                name: "stopped_tasks");

            migrationBuilder.DropTable(
                name: "sync_cursors");

            migrationBuilder.DropTable(
                name: "task_runs");
        }
    }
}
