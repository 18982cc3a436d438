using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorkflowIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_executions_StateMachineArn_StartDate",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_StateMachineArn_Status_StartDate",
                table: "executions");

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_executions_StateMachineArn_Status",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_StateMachineName_Name",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_StateMachineName_StartDate",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_StateMachineName_Status_StartDate",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_Status_RedriveStatus",
                table: "executions");

            migrationBuilder.CreateIndex(
                name: "IX_executions_StateMachineArn_StartDate",
                table: "executions",
                columns: new[] { "StateMachineArn", "StartDate" });

            migrationBuilder.CreateIndex(
                name: "IX_executions_StateMachineArn_Status_StartDate",
                table: "executions",
                columns: new[] { "StateMachineArn", "Status", "StartDate" });
        }
    }
}
