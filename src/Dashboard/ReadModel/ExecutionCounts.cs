using BatchOps.Contracts.StopReasons;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>One group of the executions page's counts: a status, whether those executions are redrivable, how many.</summary>
public sealed record StatusCount(string Status, bool Redrivable, long Count);

/// <summary>
/// The executions page's counts without counting the executions table: database triggers (created by the migrations
/// from the SQL here) keep execution_counts in step with every insert, update and delete, per workflow, status,
/// redrivability and reason class, over all time, per day and per hour of the start date. A time window reads whole
/// days, then whole hours, and counts only its partial hours at either end row by row.
/// The migration ExecutionCountsAndNameSearch runs the SQL below; changing it means a new migration that drops and
/// recreates the triggers (existing databases keep what they were created with).
/// </summary>
public static class ExecutionCounts
{
    public const int AllTime = 0;
    public const int Daily = 1;
    public const int Hourly = 2;

    public static long Day(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerDay;

    public static long Hour(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerHour;

    /// <summary>Counts per status and redrivability of the executions of <paramref name="workflow"/> (or all) with <paramref name="reason"/> (or any) started within [from, to].</summary>
    public static async Task<IReadOnlyList<StatusCount>> ReadAsync(ReadModelDbContext db, string? workflow, StopReasonClass? reason, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var reasonText = reason?.ToString();
        var buckets = db.ExecutionCounts.AsNoTracking();
        if (workflow is not null)
        {
            buckets = buckets.Where(c => c.Workflow == workflow);
        }

        if (reasonText is not null)
        {
            buckets = buckets.Where(c => c.Reason == reasonText);
        }

        var parts = new List<StatusCount>();
        async Task AddBucketsAsync(int grain, long? first, long? last)
        {
            var query = buckets.Where(c => c.Grain == grain);
            if (first is { } f)
            {
                query = query.Where(c => c.Bucket >= f);
            }

            if (last is { } l)
            {
                query = query.Where(c => c.Bucket <= l);
            }

            parts.AddRange(await query.GroupBy(c => new { c.Status, c.Redrivable })
                .Select(g => new StatusCount(g.Key.Status, g.Key.Redrivable, g.Sum(c => c.Count)))
                .ToListAsync(cancellationToken).ConfigureAwait(false));
        }

        async Task AddRowsAsync(DateTimeOffset start, DateTimeOffset end, bool endInclusive)
        {
            var rows = endInclusive
                ? db.Executions.AsNoTracking().Where(e => e.StartDate >= start && e.StartDate <= end)
                : db.Executions.AsNoTracking().Where(e => e.StartDate >= start && e.StartDate < end);
            if (workflow is not null)
            {
                rows = rows.Where(e => e.StateMachineName == workflow);
            }

            if (reason is { } r)
            {
                rows = rows.Where(e => e.ReasonClass == r);
            }

            parts.AddRange((await rows.GroupBy(e => new { e.Status, e.RedriveStatus }).Select(g => new { g.Key.Status, g.Key.RedriveStatus, Count = g.LongCount() })
                .ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(g => new StatusCount(g.Status, IsRedrivable(g.Status, g.RedriveStatus), g.Count)));
        }

        if (from is null && to is null)
        {
            await AddBucketsAsync(AllTime, null, null).ConfigureAwait(false);
            return Merge(parts);
        }

        // Whole hours inside the window: [firstHour, lastHour]; what is left at either end is counted row by row.
        long? firstHour = from is { } f0 ? CeilingHour(f0) : null;
        long? lastHour = to is { } t0 ? ((t0.UtcTicks + 1) / TimeSpan.TicksPerHour) - 1 : null;
        if (firstHour is { } fh && lastHour is { } lh && fh > lh)
        {
            await AddRowsAsync(from!.Value, to!.Value, endInclusive: true).ConfigureAwait(false);
            return Merge(parts);
        }

        if (from is { } start && firstHour is { } firstWhole && StartOfHour(firstWhole) > start)
        {
            await AddRowsAsync(start, StartOfHour(firstWhole), endInclusive: false).ConfigureAwait(false);
        }

        if (to is { } end && lastHour is { } lastWhole && StartOfHour(lastWhole + 1) <= end)
        {
            await AddRowsAsync(StartOfHour(lastWhole + 1), end, endInclusive: true).ConfigureAwait(false);
        }

        // Within the whole hours, whole days: [firstDay, lastDay]; the hours around them from the hourly buckets.
        long? firstDay = firstHour is { } h1 ? (h1 + 23) / 24 : null;
        long? lastDay = lastHour is { } h2 ? ((h2 + 1) / 24) - 1 : null;
        if (firstDay is { } fd && lastDay is { } ld && fd > ld)
        {
            await AddBucketsAsync(Hourly, firstHour, lastHour).ConfigureAwait(false);
            return Merge(parts);
        }

        await AddBucketsAsync(Daily, firstDay, lastDay).ConfigureAwait(false);
        if (firstHour is { } before && firstDay is { } dayAfter && before < dayAfter * 24)
        {
            await AddBucketsAsync(Hourly, before, (dayAfter * 24) - 1).ConfigureAwait(false);
        }

        if (lastHour is { } after && lastDay is { } dayBefore && after >= (dayBefore + 1) * 24)
        {
            await AddBucketsAsync(Hourly, (dayBefore + 1) * 24, after).ConfigureAwait(false);
        }

        return Merge(parts);
    }

    public static bool IsRedrivable(string status, string? redriveStatus) =>
        redriveStatus == "REDRIVABLE" && status is "FAILED" or "TIMED_OUT" or "ABORTED";

    private static long CeilingHour(DateTimeOffset at) => (at.UtcTicks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour;

    private static DateTimeOffset StartOfHour(long hour) => new(hour * TimeSpan.TicksPerHour, TimeSpan.Zero);

    private static List<StatusCount> Merge(List<StatusCount> parts) =>
        [.. parts.GroupBy(p => (p.Status, p.Redrivable)).Select(g => new StatusCount(g.Key.Status, g.Key.Redrivable, g.Sum(p => p.Count))).Where(c => c.Count != 0)];

    // SQLite stores DateTimeOffset as EF's binary form: (UtcTicks / 1000) << 11 | offset. Shifting the offset away leaves
    // units of 1000 ticks: 864 000 000 a day, 36 000 000 an hour.
    private const string SqliteRedrivable = "CASE WHEN {0}.\"RedriveStatus\" = 'REDRIVABLE' AND {0}.\"Status\" IN ('FAILED', 'TIMED_OUT', 'ABORTED') THEN 1 ELSE 0 END";
    private const string SqliteDay = "(({0}.\"StartDate\" >> 11) / 864000000)";
    private const string SqliteHour = "(({0}.\"StartDate\" >> 11) / 36000000)";

    // PostgreSQL: days and hours since 0001-01-01, as UtcTicks counts them (719 162 days and 17 259 888 hours to 1970).
    private const string PostgresRedrivable = "({0}.\"RedriveStatus\" IS NOT DISTINCT FROM 'REDRIVABLE' AND {0}.\"Status\" IN ('FAILED', 'TIMED_OUT', 'ABORTED'))";
    private const string PostgresDay = "(floor(extract(epoch from {0}.\"StartDate\") / 86400)::bigint + 719162)";
    private const string PostgresHour = "(floor(extract(epoch from {0}.\"StartDate\") / 3600)::bigint + 17259888)";

    private const string Columns = "\"Grain\", \"Bucket\", \"Workflow\", \"Status\", \"Redrivable\", \"Reason\", \"Count\"";
    private const string Key = "\"Grain\", \"Bucket\", \"Workflow\", \"Status\", \"Redrivable\", \"Reason\"";

    private static string Fill(string template, string row) => template.Replace("{0}", row, StringComparison.Ordinal);

    private static string Values(string row, string redrivable, string day, string hour) =>
        $"""
        (0, 0, {row}."StateMachineName", {row}."Status", {Fill(redrivable, row)}, COALESCE({row}."ReasonClass", ''), 1),
        (1, {Fill(day, row)}, {row}."StateMachineName", {row}."Status", {Fill(redrivable, row)}, COALESCE({row}."ReasonClass", ''), 1),
        (2, {Fill(hour, row)}, {row}."StateMachineName", {row}."Status", {Fill(redrivable, row)}, COALESCE({row}."ReasonClass", ''), 1)
        """;

    private static string Decrement(string row, string redrivable, string day, string hour) =>
        $"""
        UPDATE "execution_counts" SET "Count" = "Count" - 1
        WHERE "Workflow" = {row}."StateMachineName" AND "Status" = {row}."Status" AND "Redrivable" = {Fill(redrivable, row)} AND "Reason" = COALESCE({row}."ReasonClass", '')
          AND (("Grain" = 0 AND "Bucket" = 0) OR ("Grain" = 1 AND "Bucket" = {Fill(day, row)}) OR ("Grain" = 2 AND "Bucket" = {Fill(hour, row)}));
        """;

    private static string Changed(string redrivable, string hour, string distinct) =>
        $"""
        OLD."StateMachineName" {distinct} NEW."StateMachineName" OR OLD."Status" {distinct} NEW."Status"
          OR {Fill(redrivable, "OLD")} {distinct} {Fill(redrivable, "NEW")} OR OLD."ReasonClass" {distinct} NEW."ReasonClass"
          OR {Fill(hour, "OLD")} {distinct} {Fill(hour, "NEW")}
        """;

    private static string Backfill(string redrivable, string day, string hour) =>
        $"""
        INSERT INTO "execution_counts" ({Columns})
        SELECT 0, 0, e."StateMachineName", e."Status", {Fill(redrivable, "e")}, COALESCE(e."ReasonClass", ''), COUNT(*) FROM "executions" AS e GROUP BY 3, 4, 5, 6;
        INSERT INTO "execution_counts" ({Columns})
        SELECT 1, {Fill(day, "e")}, e."StateMachineName", e."Status", {Fill(redrivable, "e")}, COALESCE(e."ReasonClass", ''), COUNT(*) FROM "executions" AS e GROUP BY 2, 3, 4, 5, 6;
        INSERT INTO "execution_counts" ({Columns})
        SELECT 2, {Fill(hour, "e")}, e."StateMachineName", e."Status", {Fill(redrivable, "e")}, COALESCE(e."ReasonClass", ''), COUNT(*) FROM "executions" AS e GROUP BY 2, 3, 4, 5, 6;
        """;

    /// <summary>Counts every execution already in the table (after a bulk load with the triggers off).</summary>
    public static string SqliteBackfill => Backfill(SqliteRedrivable, SqliteDay, SqliteHour);

    public static string PostgresBackfill => Backfill(PostgresRedrivable, PostgresDay, PostgresHour);

    /// <summary>The SQLite triggers and the counts of the rows already there, for the migration that adds the table.</summary>
    public static string SqliteCreate => SqliteBackfill + SqliteTriggers;

    public static string SqliteTriggers =>
        $"""
        CREATE TRIGGER "executions_counts_insert" AFTER INSERT ON "executions" BEGIN
        INSERT INTO "execution_counts" ({Columns}) VALUES {Values("NEW", SqliteRedrivable, SqliteDay, SqliteHour)}
        ON CONFLICT ({Key}) DO UPDATE SET "Count" = "Count" + 1;
        END;
        CREATE TRIGGER "executions_counts_delete" AFTER DELETE ON "executions" BEGIN
        {Decrement("OLD", SqliteRedrivable, SqliteDay, SqliteHour)}
        END;
        CREATE TRIGGER "executions_counts_update" AFTER UPDATE OF "StateMachineName", "Status", "RedriveStatus", "ReasonClass", "StartDate" ON "executions"
        WHEN {Changed(SqliteRedrivable, SqliteHour, "IS NOT")}
        BEGIN
        {Decrement("OLD", SqliteRedrivable, SqliteDay, SqliteHour)}
        INSERT INTO "execution_counts" ({Columns}) VALUES {Values("NEW", SqliteRedrivable, SqliteDay, SqliteHour)}
        ON CONFLICT ({Key}) DO UPDATE SET "Count" = "Count" + 1;
        END;
        """;

    public const string SqliteDrop = """
        DROP TRIGGER IF EXISTS "executions_counts_insert";
        DROP TRIGGER IF EXISTS "executions_counts_delete";
        DROP TRIGGER IF EXISTS "executions_counts_update";
        """;

    /// <summary>The PostgreSQL trigger function and triggers (and the counts of the rows already there).</summary>
    public static string PostgresCreate =>
        $"""
        {Backfill(PostgresRedrivable, PostgresDay, PostgresHour)}
        CREATE OR REPLACE FUNCTION "batchops_execution_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                {Decrement("OLD", PostgresRedrivable, PostgresDay, PostgresHour)}
            END IF;
            IF TG_OP IN ('UPDATE', 'INSERT') THEN
                INSERT INTO "execution_counts" ({Columns}) VALUES {Values("NEW", PostgresRedrivable, PostgresDay, PostgresHour)}
                ON CONFLICT ({Key}) DO UPDATE SET "Count" = "execution_counts"."Count" + 1;
            END IF;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER "executions_counts_insert_delete" AFTER INSERT OR DELETE ON "executions"
        FOR EACH ROW EXECUTE FUNCTION "batchops_execution_counts"();
        CREATE TRIGGER "executions_counts_update" AFTER UPDATE OF "StateMachineName", "Status", "RedriveStatus", "ReasonClass", "StartDate" ON "executions"
        FOR EACH ROW WHEN ({Changed(PostgresRedrivable, PostgresHour, "IS DISTINCT FROM")})
        EXECUTE FUNCTION "batchops_execution_counts"();
        """;

    public const string PostgresDrop = """
        DROP TRIGGER IF EXISTS "executions_counts_insert_delete" ON "executions";
        DROP TRIGGER IF EXISTS "executions_counts_update" ON "executions";
        DROP FUNCTION IF EXISTS "batchops_execution_counts"();
        """;
}
