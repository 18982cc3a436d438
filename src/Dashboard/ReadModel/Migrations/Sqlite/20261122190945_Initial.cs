using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
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
                    ExecutionArn = table.Column<string>(type: "TEXT", nullable: false),
                    EventCount = table.Column<int>(type: "INTEGER", nullable: false),
                    EventsJson = table.Column<string>(type: "TEXT", nullable: false),
                    FetchedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_execution_histories", x => x.ExecutionArn);
                });

            migrationBuilder.CreateTable(
                name: "executions",
                columns: table => new
                {
                    Arn = table.Column<string>(type: "TEXT", nullable: false),
                    StateMachineArn = table.Column<string>(type: "TEXT", nullable: false),
                    StateMachineName = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    StartDate = table.Column<long>(type: "INTEGER", nullable: false),
                    StopDate = table.Column<long>(type: "INTEGER", nullable: true),
                    RedriveCount = table.Column<int>(type: "INTEGER", nullable: false),
                    RedriveDate = table.Column<long>(type: "INTEGER", nullable: true),
                    RedriveStatus = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    Cause = table.Column<string>(type: "TEXT", nullable: true),
                    Input = table.Column<string>(type: "TEXT", nullable: true),
                    Output = table.Column<string>(type: "TEXT", nullable: true),
                    ReasonClass = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    EcsTaskCount = table.Column<int>(type: "INTEGER", nullable: false),
                    RerunOfArn = table.Column<string>(type: "TEXT", nullable: true),
                    NeedsHistory = table.Column<bool>(type: "INTEGER", nullable: false),
                    HistoryFetchedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_executions", x => x.Arn);
                });

            migrationBuilder.CreateTable(
                name: "redrives",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExecutionArn = table.Column<string>(type: "TEXT", nullable: false),
                    RedriveCount = table.Column<int>(type: "INTEGER", nullable: false),
                    RedrivenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_redrives", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "state_machines",
                columns: table => new
                {
                    Arn = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SeenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_state_machines", x => x.Arn);
                });

            migrationBuilder.CreateTable(
                name: "stopped_tasks",
                columns: table => new
                {
                    TaskArn = table.Column<string>(type: "TEXT", nullable: false),
                    ClusterArn = table.Column<string>(type: "TEXT", nullable: false),
                    TaskDefinitionArn = table.Column<string>(type: "TEXT", nullable: true),
                    Family = table.Column<string>(type: "TEXT", nullable: true),
                    Group = table.Column<string>(type: "TEXT", nullable: true),
                    StartedBy = table.Column<string>(type: "TEXT", nullable: true),
                    StopCode = table.Column<string>(type: "TEXT", nullable: true),
                    StoppedReason = table.Column<string>(type: "TEXT", nullable: true),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    ContainerReason = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    StoppedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReasonClass = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Retryable = table.Column<bool>(type: "INTEGER", nullable: false),
                    CapturedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stopped_tasks", x => x.TaskArn);
                });

            migrationBuilder.CreateTable(
                name: "sync_cursors",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    NewestStartDate = table.Column<long>(type: "INTEGER", nullable: true),
                    NewestArn = table.Column<string>(type: "TEXT", nullable: true),
                    LastSuccessAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    ConsecutiveFailures = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_cursors", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "task_runs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExecutionArn = table.Column<string>(type: "TEXT", nullable: false),
                    StateName = table.Column<string>(type: "TEXT", nullable: false),
                    Attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    RedriveCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ResourceType = table.Column<string>(type: "TEXT", nullable: false),
                    Resource = table.Column<string>(type: "TEXT", nullable: false),
                    ScheduledAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    Cause = table.Column<string>(type: "TEXT", nullable: true),
                    TaskArn = table.Column<string>(type: "TEXT", nullable: true),
                    ClusterArn = table.Column<string>(type: "TEXT", nullable: true),
                    TaskDefinitionArn = table.Column<string>(type: "TEXT", nullable: true),
                    StopCode = table.Column<string>(type: "TEXT", nullable: true),
                    StoppedReason = table.Column<string>(type: "TEXT", nullable: true),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    ReasonClass = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Retryable = table.Column<bool>(type: "INTEGER", nullable: true),
                    ChildExecutionArn = table.Column<string>(type: "TEXT", nullable: true),
                    DelayBeforeNextSeconds = table.Column<double>(type: "REAL", nullable: true)
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
