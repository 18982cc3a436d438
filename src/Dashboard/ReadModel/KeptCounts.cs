namespace BatchOps.Dashboard.ReadModel;

/// <summary>A piece of a time window: whole buckets of one grain, or the rows at a ragged end counted one by one.</summary>
public abstract record CountWindowPart;

/// <summary>A row of a kept-counts table: which bucket, and how many.</summary>
public interface IKeptCountRow
{
    int Grain { get; }
    long Bucket { get; }
    long Count { get; }
}

/// <summary>Buckets <c>[First, Last]</c> of <see cref="Grain"/> (either end open when null).</summary>
public sealed record BucketRange(int Grain, long? First, long? Last) : CountWindowPart
{
    /// <summary>The rows of <paramref name="buckets"/> in this range.</summary>
    public IQueryable<T> Of<T>(IQueryable<T> buckets)
        where T : class, IKeptCountRow
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var grain = Grain;
        var query = buckets.Where(c => c.Grain == grain);
        query = First is { } f ? query.Where(c => c.Bucket >= f) : query;
        return Last is { } l ? query.Where(c => c.Bucket <= l) : query;
    }
}

/// <summary>Rows with <c>Start &lt;= time &lt; End</c> (or <c>&lt;= End</c> when <see cref="EndInclusive"/>).</summary>
public sealed record RowRange(DateTimeOffset Start, DateTimeOffset End, bool EndInclusive) : CountWindowPart;

/// <summary>One key column of a kept-counts table and the expression, over a source row <c>{0}</c>, that fills it.</summary>
/// <param name="Column">The counts table's column.</param>
/// <param name="Sqlite">SQLite expression, e.g. <c>COALESCE({0}."Family", '')</c>.</param>
/// <param name="Postgres">PostgreSQL expression.</param>
/// <param name="SourceColumns">The source columns it reads (the update trigger fires only when one of them changes).</param>
public sealed record KeptCountKey(string Column, string Sqlite, string Postgres, params string[] SourceColumns);

/// <summary>
/// Counts the database keeps as rows are written, so a page never counts a large table: database triggers (created by
/// a migration from the SQL here) add and take away one per row in its all-time, daily and hourly buckets of the row's
/// time column, per key. A time window reads whole days, then whole hours, and counts its partial hours row by row
/// (<see cref="Split"/>). Changing a table's SQL means a new migration that drops and recreates its triggers.
/// </summary>
public sealed record KeptCounts(string Table, string Source, string TimeColumn, string Function, IReadOnlyList<KeptCountKey> Keys)
{
    public const int AllTime = 0;
    public const int Daily = 1;
    public const int Hourly = 2;

    public static long Day(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerDay;

    public static long Hour(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerHour;

    /// <summary>The window [from, to] as bucket ranges and the rows at its ragged ends; no bound means all time.</summary>
    public static IReadOnlyList<CountWindowPart> Split(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null && to is null)
        {
            return [new BucketRange(AllTime, null, null)];
        }

        // Whole hours inside the window: [firstHour, lastHour]; what is left at either end is counted row by row.
        long? firstHour = from is { } f0 ? (f0.UtcTicks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour : null;
        long? lastHour = to is { } t0 ? ((t0.UtcTicks + 1) / TimeSpan.TicksPerHour) - 1 : null;
        if (firstHour is { } fh && lastHour is { } lh && fh > lh)
        {
            return [new RowRange(from!.Value, to!.Value, EndInclusive: true)];
        }

        var parts = new List<CountWindowPart>();
        if (from is { } start && firstHour is { } firstWhole && StartOfHour(firstWhole) > start)
        {
            parts.Add(new RowRange(start, StartOfHour(firstWhole), EndInclusive: false));
        }

        if (to is { } end && lastHour is { } lastWhole && StartOfHour(lastWhole + 1) <= end)
        {
            parts.Add(new RowRange(StartOfHour(lastWhole + 1), end, EndInclusive: true));
        }

        // Within the whole hours, whole days: [firstDay, lastDay]; the hours around them from the hourly buckets.
        long? firstDay = firstHour is { } h1 ? (h1 + 23) / 24 : null;
        long? lastDay = lastHour is { } h2 ? ((h2 + 1) / 24) - 1 : null;
        if (firstDay is { } fd && lastDay is { } ld && fd > ld)
        {
            parts.Add(new BucketRange(Hourly, firstHour, lastHour));
            return parts;
        }

        parts.Add(new BucketRange(Daily, firstDay, lastDay));
        if (firstHour is { } before && firstDay is { } dayAfter && before < dayAfter * 24)
        {
            parts.Add(new BucketRange(Hourly, before, (dayAfter * 24) - 1));
        }

        if (lastHour is { } after && lastDay is { } dayBefore && after >= (dayBefore + 1) * 24)
        {
            parts.Add(new BucketRange(Hourly, (dayBefore + 1) * 24, after));
        }

        return parts;
    }

    private static DateTimeOffset StartOfHour(long hour) => new(hour * TimeSpan.TicksPerHour, TimeSpan.Zero);

    // SQLite stores DateTimeOffset as EF's binary form: (UtcTicks / 1000) << 11 | offset. Shifting the offset away leaves
    // units of 1000 ticks: 864 000 000 a day, 36 000 000 an hour.
    private string SqliteDay => $"(({{0}}.\"{TimeColumn}\" >> 11) / 864000000)";
    private string SqliteHour => $"(({{0}}.\"{TimeColumn}\" >> 11) / 36000000)";

    // PostgreSQL: days and hours since 0001-01-01, as UtcTicks counts them (719 162 days and 17 259 888 hours to 1970).
    private string PostgresDay => $"(floor(extract(epoch from {{0}}.\"{TimeColumn}\") / 86400)::bigint + 719162)";
    private string PostgresHour => $"(floor(extract(epoch from {{0}}.\"{TimeColumn}\") / 3600)::bigint + 17259888)";

    private string Columns => $"\"Grain\", \"Bucket\", {string.Join(", ", Keys.Select(k => $"\"{k.Column}\""))}, \"Count\"";
    private string Key => $"\"Grain\", \"Bucket\", {string.Join(", ", Keys.Select(k => $"\"{k.Column}\""))}";
    private string UpdateOf => string.Join(", ", Keys.SelectMany(k => k.SourceColumns).Append(TimeColumn).Distinct(StringComparer.Ordinal).Select(c => $"\"{c}\""));

    private static string Fill(string template, string row) => template.Replace("{0}", row, StringComparison.Ordinal);

    private string KeyValues(string row, bool postgres) => string.Join(", ", Keys.Select(k => Fill(postgres ? k.Postgres : k.Sqlite, row)));

    private string Values(string row, bool postgres) =>
        $"""
        (0, 0, {KeyValues(row, postgres)}, 1),
        (1, {Fill(postgres ? PostgresDay : SqliteDay, row)}, {KeyValues(row, postgres)}, 1),
        (2, {Fill(postgres ? PostgresHour : SqliteHour, row)}, {KeyValues(row, postgres)}, 1)
        """;

    private string Increment(string row, bool postgres) =>
        $"""
        INSERT INTO "{Table}" ({Columns}) VALUES {Values(row, postgres)}
        ON CONFLICT ({Key}) DO UPDATE SET "Count" = "{Table}"."Count" + 1;
        """;

    private string Decrement(string row, bool postgres) =>
        $"""
        UPDATE "{Table}" SET "Count" = "Count" - 1
        WHERE {string.Join(" AND ", Keys.Select(k => $"\"{k.Column}\" = {Fill(postgres ? k.Postgres : k.Sqlite, row)}"))}
          AND (("Grain" = 0 AND "Bucket" = 0) OR ("Grain" = 1 AND "Bucket" = {Fill(postgres ? PostgresDay : SqliteDay, row)}) OR ("Grain" = 2 AND "Bucket" = {Fill(postgres ? PostgresHour : SqliteHour, row)}));
        """;

    private string Changed(bool postgres)
    {
        var distinct = postgres ? "IS DISTINCT FROM" : "IS NOT";
        var hour = postgres ? PostgresHour : SqliteHour;
        return string.Join(" OR ", Keys.Select(k => postgres ? k.Postgres : k.Sqlite).Append(hour).Select(e => $"{Fill(e, "OLD")} {distinct} {Fill(e, "NEW")}"));
    }

    private string Backfill(bool postgres)
    {
        var keys = KeyValues("s", postgres);
        var groupKeys = string.Join(", ", Enumerable.Range(3, Keys.Count));
        return $"""
            INSERT INTO "{Table}" ({Columns})
            SELECT 0, 0, {keys}, COUNT(*) FROM "{Source}" AS s GROUP BY {groupKeys};
            INSERT INTO "{Table}" ({Columns})
            SELECT 1, {Fill(postgres ? PostgresDay : SqliteDay, "s")}, {keys}, COUNT(*) FROM "{Source}" AS s GROUP BY 2, {groupKeys};
            INSERT INTO "{Table}" ({Columns})
            SELECT 2, {Fill(postgres ? PostgresHour : SqliteHour, "s")}, {keys}, COUNT(*) FROM "{Source}" AS s GROUP BY 2, {groupKeys};
            """;
    }

    /// <summary>Counts every row already in the source table (after a bulk load with the triggers off).</summary>
    public string SqliteBackfill => Backfill(postgres: false);

    public string PostgresBackfill => Backfill(postgres: true);

    /// <summary>The SQLite triggers and the counts of the rows already there, for the migration that adds the table.</summary>
    public string SqliteCreate => SqliteBackfill + SqliteTriggers;

    public string SqliteTriggers =>
        $"""
        CREATE TRIGGER "{Source}_counts_insert" AFTER INSERT ON "{Source}" BEGIN
        {Increment("NEW", postgres: false)}
        END;
        CREATE TRIGGER "{Source}_counts_delete" AFTER DELETE ON "{Source}" BEGIN
        {Decrement("OLD", postgres: false)}
        END;
        CREATE TRIGGER "{Source}_counts_update" AFTER UPDATE OF {UpdateOf} ON "{Source}"
        WHEN {Changed(postgres: false)}
        BEGIN
        {Decrement("OLD", postgres: false)}
        {Increment("NEW", postgres: false)}
        END;
        """;

    public string SqliteDrop =>
        $"""
        DROP TRIGGER IF EXISTS "{Source}_counts_insert";
        DROP TRIGGER IF EXISTS "{Source}_counts_delete";
        DROP TRIGGER IF EXISTS "{Source}_counts_update";
        """;

    /// <summary>The PostgreSQL trigger function and triggers (and the counts of the rows already there).</summary>
    public string PostgresCreate =>
        $"""
        {PostgresBackfill}
        CREATE OR REPLACE FUNCTION "{Function}"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                {Decrement("OLD", postgres: true)}
            END IF;
            IF TG_OP IN ('UPDATE', 'INSERT') THEN
                {Increment("NEW", postgres: true)}
            END IF;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER "{Source}_counts_insert_delete" AFTER INSERT OR DELETE ON "{Source}"
        FOR EACH ROW EXECUTE FUNCTION "{Function}"();
        CREATE TRIGGER "{Source}_counts_update" AFTER UPDATE OF {UpdateOf} ON "{Source}"
        FOR EACH ROW WHEN ({Changed(postgres: true)})
        EXECUTE FUNCTION "{Function}"();
        """;

    public string PostgresDrop =>
        $"""
        DROP TRIGGER IF EXISTS "{Source}_counts_insert_delete" ON "{Source}";
        DROP TRIGGER IF EXISTS "{Source}_counts_update" ON "{Source}";
        DROP FUNCTION IF EXISTS "{Function}"();
        """;
}
