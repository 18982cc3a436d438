using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HistoryChunks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "execution_history_chunks",
                columns: table => new
                {
                    ExecutionArn = table.Column<string>(type: "TEXT", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    EventsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_execution_history_chunks", x => new { x.ExecutionArn, x.Sequence });
                });

            // The one blob each history was becomes its first chunk, with no last event id: the next fetch of it reads
            // it whole again and stores it in chunks.
            migrationBuilder.Sql("""INSERT INTO execution_history_chunks ("ExecutionArn", "Sequence", "EventsJson") SELECT "ExecutionArn", 0, "EventsJson" FROM execution_histories""");

            migrationBuilder.DropColumn(
                name: "EventsJson",
                table: "execution_histories");

            migrationBuilder.AddColumn<long>(
                name: "LastEventId",
                table: "execution_histories",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EventsJson",
                table: "execution_histories",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            // Best effort: a history longer than one chunk keeps its first chunk only.
            migrationBuilder.Sql("""UPDATE execution_histories SET "EventsJson" = (SELECT c."EventsJson" FROM execution_history_chunks c WHERE c."ExecutionArn" = execution_histories."ExecutionArn" AND c."Sequence" = 0) WHERE EXISTS (SELECT 1 FROM execution_history_chunks c WHERE c."ExecutionArn" = execution_histories."ExecutionArn" AND c."Sequence" = 0)""");

            migrationBuilder.DropTable(
                name: "execution_history_chunks");

            migrationBuilder.DropColumn(
                name: "LastEventId",
                table: "execution_histories");
        }
    }
}
