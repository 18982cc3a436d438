using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ExecutionCountsAndNameSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_executions_StartDate",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_Status_RedriveStatus",
                table: "executions");

            migrationBuilder.CreateTable(
                name: "execution_counts",
                columns: table => new
                {
                    Grain = table.Column<int>(type: "integer", nullable: false),
                    Bucket = table.Column<long>(type: "bigint", nullable: false),
                    Workflow = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    Redrivable = table.Column<bool>(type: "boolean", nullable: false),
                    Reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_execution_counts", x => new { x.Grain, x.Bucket, x.Workflow, x.Status, x.Redrivable, x.Reason });
                });

            migrationBuilder.CreateIndex(
                name: "IX_executions_Redrivable",
                table: "executions",
                columns: new[] { "StartDate", "Arn" },
                filter: "\"RedriveStatus\" = 'REDRIVABLE'");

            migrationBuilder.CreateIndex(
                name: "IX_executions_StartDate_Arn",
                table: "executions",
                columns: new[] { "StartDate", "Arn" });

            // Kept counts and the name index: triggers the database runs on every write (see ExecutionCounts, ExecutionNameSearch).
            migrationBuilder.Sql(ExecutionCounts.Table.PostgresCreate);
            migrationBuilder.Sql(ExecutionNameSearch.PostgresCreate);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ExecutionNameSearch.PostgresDrop);
            migrationBuilder.Sql(ExecutionCounts.Table.PostgresDrop);

            migrationBuilder.DropTable(
                name: "execution_counts");

            migrationBuilder.DropIndex(
                name: "IX_executions_Redrivable",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_StartDate_Arn",
                table: "executions");

            migrationBuilder.CreateIndex(
                name: "IX_executions_StartDate",
                table: "executions",
                column: "StartDate");

            migrationBuilder.CreateIndex(
                name: "IX_executions_Status_RedriveStatus",
                table: "executions",
                columns: new[] { "Status", "RedriveStatus" });
        }
    }
}
