using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OperationLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RedriveStatusReason",
                table: "executions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "operations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Workflow = table.Column<string>(type: "TEXT", nullable: true),
                    TargetArn = table.Column<string>(type: "TEXT", nullable: true),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Generation = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Parameters = table.Column<string>(type: "TEXT", nullable: true),
                    ParentId = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResultArn = table.Column<string>(type: "TEXT", nullable: true),
                    Result = table.Column<string>(type: "TEXT", nullable: true),
                    ErrorCode = table.Column<string>(type: "TEXT", nullable: true),
                    ErrorMessage = table.Column<string>(type: "TEXT", nullable: true),
                    AwsRequestId = table.Column<string>(type: "TEXT", nullable: true),
                    CancelRequestedBy = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_operations", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_operations_Actor_RequestedAt",
                table: "operations",
                columns: new[] { "Actor", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_operations_IdempotencyKey_Generation",
                table: "operations",
                columns: new[] { "IdempotencyKey", "Generation" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_operations_Kind_RequestedAt",
                table: "operations",
                columns: new[] { "Kind", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_operations_ParentId_Position",
                table: "operations",
                columns: new[] { "ParentId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_operations_RequestedAt",
                table: "operations",
                column: "RequestedAt");

            migrationBuilder.CreateIndex(
                name: "IX_operations_Status_ClaimedUntil",
                table: "operations",
                columns: new[] { "Status", "ClaimedUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_operations_TargetArn",
                table: "operations",
                column: "TargetArn");

            migrationBuilder.CreateIndex(
                name: "IX_operations_Workflow_RequestedAt",
                table: "operations",
                columns: new[] { "Workflow", "RequestedAt" });

            // The ledger is the audit log: no row is ever deleted, and a completed one never changes.
            migrationBuilder.Sql("""
                CREATE TRIGGER operations_append_only BEFORE DELETE ON operations
                BEGIN SELECT RAISE(ABORT, 'operations is the audit log: rows are never deleted'); END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER operations_completed_final BEFORE UPDATE ON operations
                WHEN OLD."Status" IN ('Succeeded', 'Failed', 'Refused', 'Cancelled')
                BEGIN SELECT RAISE(ABORT, 'a completed operation never changes'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS operations_completed_final;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS operations_append_only;");
            migrationBuilder.DropTable(
                name: "operations");

            migrationBuilder.DropColumn(
                name: "RedriveStatusReason",
                table: "executions");
        }
    }
}
