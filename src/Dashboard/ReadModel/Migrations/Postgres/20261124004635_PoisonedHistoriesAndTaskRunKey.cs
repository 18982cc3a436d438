using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PoisonedHistoriesAndTaskRunKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ScheduledEventId",
                table: "task_runs",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "HistoryError",
                table: "executions",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "HistoryFailures",
                table: "executions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "HistoryRetryAt",
                table: "executions",
                type: "timestamp with time zone",
                nullable: true);

            // Task runs stored before the key existed get a placeholder no event id can be (minus their row id), so the
            // unique index holds; the next fetch of their execution's history replaces them with the real ids.
            migrationBuilder.Sql("UPDATE task_runs SET \"ScheduledEventId\" = -\"Id\"");

            migrationBuilder.CreateIndex(
                name: "IX_task_runs_ExecutionArn_ScheduledEventId",
                table: "task_runs",
                columns: new[] { "ExecutionArn", "ScheduledEventId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_task_runs_ExecutionArn_ScheduledEventId",
                table: "task_runs");

            migrationBuilder.DropColumn(
                name: "ScheduledEventId",
                table: "task_runs");

            migrationBuilder.DropColumn(
                name: "HistoryError",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "HistoryFailures",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "HistoryRetryAt",
                table: "executions");
        }
    }
}
