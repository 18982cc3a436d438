using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Backfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BackfillPages",
                table: "sync_cursors",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "BackfillToken",
                table: "sync_cursors",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "BackfillTop",
                table: "sync_cursors",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BackfillTopArn",
                table: "sync_cursors",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BackfillPages",
                table: "sync_cursors");

            migrationBuilder.DropColumn(
                name: "BackfillToken",
                table: "sync_cursors");

            migrationBuilder.DropColumn(
                name: "BackfillTop",
                table: "sync_cursors");

            migrationBuilder.DropColumn(
                name: "BackfillTopArn",
                table: "sync_cursors");
        }
    }
}
