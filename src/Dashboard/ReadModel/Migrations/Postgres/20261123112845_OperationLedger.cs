using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Postgres
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
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "operations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    Actor = table.Column<string>(type: "text", nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Workflow = table.Column<string>(type: "text", nullable: true),
                    TargetArn = table.Column<string>(type: "text", nullable: true),
                    IdempotencyKey = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Generation = table.Column<int>(type: "integer", nullable: false),
                    RequestHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Parameters = table.Column<string>(type: "text", nullable: true),
                    ParentId = table.Column<long>(type: "bigint", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    ClaimedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ResultArn = table.Column<string>(type: "text", nullable: true),
                    Result = table.Column<string>(type: "text", nullable: true),
                    ErrorCode = table.Column<string>(type: "text", nullable: true),
                    ErrorMessage = table.Column<string>(type: "text", nullable: true),
                    AwsRequestId = table.Column<string>(type: "text", nullable: true),
                    CancelRequestedBy = table.Column<string>(type: "text", nullable: true)
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
                CREATE FUNCTION operations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
                        RAISE EXCEPTION 'operations is the audit log: rows are never deleted';
                    END IF;
                    IF OLD."Status" IN ('Succeeded', 'Failed', 'Refused', 'Cancelled') THEN
                        RAISE EXCEPTION 'a completed operation never changes';
                    END IF;
                    RETURN NEW;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER operations_append_only BEFORE UPDATE OR DELETE ON operations
                FOR EACH ROW EXECUTE FUNCTION operations_guard();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER operations_no_truncate BEFORE TRUNCATE ON operations
                FOR EACH STATEMENT EXECUTE FUNCTION operations_guard();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS operations_no_truncate ON operations;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS operations_append_only ON operations;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS operations_guard();");
            migrationBuilder.DropTable(
                name: "operations");

            migrationBuilder.DropColumn(
                name: "RedriveStatusReason",
                table: "executions");
        }
    }
}
