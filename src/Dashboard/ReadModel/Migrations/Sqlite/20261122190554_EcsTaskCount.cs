using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EcsTaskCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "AttemptCount",
                table: "executions",
                newName: "EcsTaskCount");

            // The column used to count every task state's attempts (SNS publishes too); recount ECS tasks from the task runs.
            migrationBuilder.Sql("UPDATE executions SET \"EcsTaskCount\" = (SELECT count(*) FROM task_runs WHERE task_runs.\"ExecutionArn\" = executions.\"Arn\" AND task_runs.\"ResourceType\" = 'ecs')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "EcsTaskCount",
                table: "executions",
                newName: "AttemptCount");
        }
    }
}
