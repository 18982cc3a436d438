using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchOps.Dashboard.ReadModel.Migrations.Postgres
{
    /// <summary>
    /// Tables of Quartz.NET's ADO job store (clustered), in the shape Quartz 4 reads and writes on PostgreSQL, so one
    /// migration run prepares everything a dashboard instance needs.
    /// </summary>
    public partial class QuartzJobStore : Migration
    {
        private static readonly string[] Tables =
        [
            "qrtz_fired_triggers", "qrtz_paused_trigger_grps", "qrtz_scheduler_state", "qrtz_locks", "qrtz_simprop_triggers",
            "qrtz_simple_triggers", "qrtz_cron_triggers", "qrtz_blob_triggers", "qrtz_triggers", "qrtz_job_details", "qrtz_calendars",
        ];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            const string triggerKey = "sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL";
            const string triggerFk = "PRIMARY KEY (sched_name, trigger_name, trigger_group), FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE";
            migrationBuilder.Sql("""
                CREATE TABLE qrtz_job_details (
                    sched_name TEXT NOT NULL, job_name TEXT NOT NULL, job_group TEXT NOT NULL, description TEXT NULL,
                    job_class_name TEXT NOT NULL, is_durable BOOL NOT NULL, is_nonconcurrent BOOL NOT NULL,
                    is_update_data BOOL NOT NULL, requests_recovery BOOL NOT NULL, job_data BYTEA NULL,
                    PRIMARY KEY (sched_name, job_name, job_group));
                CREATE TABLE qrtz_triggers (
                    sched_name TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
                    job_name TEXT NOT NULL, job_group TEXT NOT NULL, description TEXT NULL,
                    next_fire_time BIGINT NULL, prev_fire_time BIGINT NULL, priority INTEGER NULL,
                    trigger_state TEXT NOT NULL, trigger_type TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT NULL,
                    calendar_name TEXT NULL, misfire_instr SMALLINT NULL, misfire_orig_fire_time BIGINT NULL,
                    execution_group VARCHAR(200) NULL, preferred_node VARCHAR(200) NULL, preferred_node_auto BOOL NOT NULL DEFAULT FALSE,
                    job_data BYTEA NULL,
                    PRIMARY KEY (sched_name, trigger_name, trigger_group),
                    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group));
                """);
            migrationBuilder.Sql($"CREATE TABLE qrtz_simple_triggers ({triggerKey}, repeat_count BIGINT NOT NULL, repeat_interval BIGINT NOT NULL, times_triggered BIGINT NOT NULL, {triggerFk});");
            migrationBuilder.Sql($"""
                CREATE TABLE qrtz_simprop_triggers ({triggerKey},
                    str_prop_1 TEXT NULL, str_prop_2 TEXT NULL, str_prop_3 TEXT NULL, int_prop_1 INTEGER NULL, int_prop_2 INTEGER NULL,
                    long_prop_1 BIGINT NULL, long_prop_2 BIGINT NULL, dec_prop_1 NUMERIC NULL, dec_prop_2 NUMERIC NULL,
                    bool_prop_1 BOOL NULL, bool_prop_2 BOOL NULL, time_zone_id TEXT NULL, {triggerFk});
                """);
            migrationBuilder.Sql($"CREATE TABLE qrtz_cron_triggers ({triggerKey}, cron_expression TEXT NOT NULL, time_zone_id TEXT, {triggerFk});");
            migrationBuilder.Sql($"CREATE TABLE qrtz_blob_triggers ({triggerKey}, blob_data BYTEA NULL, {triggerFk});");
            migrationBuilder.Sql("""
                CREATE TABLE qrtz_calendars (sched_name TEXT NOT NULL, calendar_name TEXT NOT NULL, calendar BYTEA NOT NULL, PRIMARY KEY (sched_name, calendar_name));
                CREATE TABLE qrtz_paused_trigger_grps (sched_name TEXT NOT NULL, trigger_group TEXT NOT NULL, PRIMARY KEY (sched_name, trigger_group));
                CREATE TABLE qrtz_fired_triggers (
                    sched_name TEXT NOT NULL, entry_id TEXT NOT NULL, trigger_name TEXT NOT NULL, trigger_group TEXT NOT NULL,
                    instance_name TEXT NOT NULL, fired_time BIGINT NOT NULL, sched_time BIGINT NOT NULL, priority INTEGER NOT NULL,
                    state TEXT NOT NULL, job_name TEXT NULL, job_group TEXT NULL, is_nonconcurrent BOOL NOT NULL,
                    requests_recovery BOOL NULL, execution_group VARCHAR(200) NULL,
                    PRIMARY KEY (sched_name, entry_id));
                CREATE TABLE qrtz_scheduler_state (sched_name TEXT NOT NULL, instance_name TEXT NOT NULL, last_checkin_time BIGINT NOT NULL, checkin_interval BIGINT NOT NULL, PRIMARY KEY (sched_name, instance_name));
                CREATE TABLE qrtz_locks (sched_name TEXT NOT NULL, lock_name TEXT NOT NULL, PRIMARY KEY (sched_name, lock_name));
                CREATE INDEX idx_qrtz_j_req_recovery ON qrtz_job_details (sched_name, requests_recovery);
                CREATE INDEX idx_qrtz_t_next_fire_time ON qrtz_triggers (sched_name, next_fire_time);
                CREATE INDEX idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time);
                CREATE INDEX idx_qrtz_ft_trig_inst_name ON qrtz_fired_triggers (sched_name, instance_name);
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                migrationBuilder.Sql($"DROP TABLE IF EXISTS {table};");
            }
        }
    }
}
