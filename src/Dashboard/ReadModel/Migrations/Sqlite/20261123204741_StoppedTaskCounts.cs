using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StoppedTaskCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_Family_StoppedAt",
                table: "stopped_tasks");

            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_ReasonClass_StoppedAt",
                table: "stopped_tasks");

            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_StoppedAt",
                table: "stopped_tasks");

            migrationBuilder.CreateTable(
                name: "stopped_task_counts",
                columns: table => new
                {
                    Grain = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<long>(type: "INTEGER", nullable: false),
                    Family = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stopped_task_counts", x => new { x.Grain, x.Bucket, x.Family, x.Reason, x.ExitCode });
                });

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_ExitCode_StoppedAt_TaskArn",
                table: "stopped_tasks",
                columns: new[] { "ExitCode", "StoppedAt", "TaskArn" });

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_Family_StoppedAt_TaskArn",
                table: "stopped_tasks",
                columns: new[] { "Family", "StoppedAt", "TaskArn" });

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_ReasonClass_StoppedAt_TaskArn",
                table: "stopped_tasks",
                columns: new[] { "ReasonClass", "StoppedAt", "TaskArn" });

            migrationBuilder.CreateIndex(
                name: "IX_stopped_tasks_StoppedAt_TaskArn",
                table: "stopped_tasks",
                columns: new[] { "StoppedAt", "TaskArn" });

            migrationBuilder.Sql(BatchOps.Dashboard.ReadModel.StoppedTaskCounts.Table.SqliteCreate);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(BatchOps.Dashboard.ReadModel.StoppedTaskCounts.Table.SqliteDrop);

            migrationBuilder.DropTable(
                name: "stopped_task_counts");

            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_ExitCode_StoppedAt_TaskArn",
                table: "stopped_tasks");

            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_Family_StoppedAt_TaskArn",
                table: "stopped_tasks");

            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_ReasonClass_StoppedAt_TaskArn",
                table: "stopped_tasks");

            migrationBuilder.DropIndex(
                name: "IX_stopped_tasks_StoppedAt_TaskArn",
                table: "stopped_tasks");

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
        }
    }
}
