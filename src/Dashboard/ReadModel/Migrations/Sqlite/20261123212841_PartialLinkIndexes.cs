using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PartialLinkIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_task_runs_ChildExecutionArn",
                table: "task_runs");

            migrationBuilder.DropIndex(
                name: "IX_executions_RerunOfArn",
                table: "executions");

            migrationBuilder.CreateIndex(
                name: "IX_task_runs_ChildExecutionArn",
                table: "task_runs",
                column: "ChildExecutionArn",
                filter: "\"ChildExecutionArn\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_executions_RerunOfArn",
                table: "executions",
                column: "RerunOfArn",
                filter: "\"RerunOfArn\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_task_runs_ChildExecutionArn",
                table: "task_runs");

            migrationBuilder.DropIndex(
                name: "IX_executions_RerunOfArn",
                table: "executions");

            migrationBuilder.CreateIndex(
                name: "IX_task_runs_ChildExecutionArn",
                table: "task_runs",
                column: "ChildExecutionArn");

            migrationBuilder.CreateIndex(
                name: "IX_executions_RerunOfArn",
                table: "executions",
                column: "RerunOfArn");
        }
    }
}
