using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>How <see cref="ExecutionNameSearch.Source"/> reads a name search.</summary>
public enum NameSearchPlan
{
    Indexed,
    Streaming,
    Scan,
}

/// <summary>
/// "Name contains" without reading every name: a trigram index finds the candidates (SQLite FTS5 with the trigram
/// tokenizer; PostgreSQL pg_trgm), and the exact case-insensitive LIKE then decides, so results do not change.
/// </summary>
public static class ExecutionNameSearch
{
    /// <summary>Trigram indexes need three characters; shorter terms are matched by LIKE alone.</summary>
    public const int MinimumIndexedLength = 3;

    /// <summary>Where to read executions from: on SQLite with a term of three characters or more, only the rows the trigram index finds.</summary>
    /// <param name="plan">
    /// <see cref="NameSearchPlan.Indexed"/>: the index's matches as a set (all of them, then sorted: for a page of rows);
    /// <see cref="NameSearchPlan.Streaming"/>: matches one by one as the index yields them (stops at a LIMIT: for counting
    /// up to a cap); <see cref="NameSearchPlan.Scan"/>: no index (a common term found scanning in page order).
    /// </param>
    public static IQueryable<ExecutionRecord> Source(ReadModelDbContext db, string? search, NameSearchPlan plan = NameSearchPlan.Indexed)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (search is not { Length: >= MinimumIndexedLength } || plan == NameSearchPlan.Scan || db.Database.IsNpgsql())
        {
            return db.Executions;
        }

        // A phrase of the term's trigrams finds every name containing it (quotes doubled, as FTS5 strings escape them).
        var phrase = "\"" + search.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return plan == NameSearchPlan.Streaming
            ? db.Executions.FromSql($"SELECT e.* FROM \"executions_name_fts\" JOIN \"executions\" AS e ON e.rowid = \"executions_name_fts\".rowid WHERE \"executions_name_fts\" MATCH {phrase}")
            : db.Executions.FromSql($"SELECT e.* FROM \"executions\" AS e WHERE e.rowid IN (SELECT rowid FROM \"executions_name_fts\" WHERE \"executions_name_fts\" MATCH {phrase})");
    }

    /// <summary>The executions whose name contains <paramref name="search"/> (case-insensitive; % and _ taken literally).</summary>
    public static IQueryable<ExecutionRecord> Containing(ReadModelDbContext db, IQueryable<ExecutionRecord> query, string search)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(search);
        var pattern = "%" + search.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        // pg_trgm's GIN index serves ILIKE directly; on SQLite the trigram index already narrowed the source.
        return db.Database.IsNpgsql()
            ? query.Where(e => EF.Functions.ILike(e.Name, pattern, "\\"))
            : query.Where(e => EF.Functions.Like(e.Name, pattern, "\\"));
    }

    /// <summary>
    /// SQLite: an external-content FTS5 table over executions.Name, kept by triggers. The read model is never VACUUMed
    /// (which renumbers rowids); after a manual VACUUM, INSERT INTO executions_name_fts(executions_name_fts) VALUES('rebuild').
    /// </summary>
    public const string SqliteCreate = """
        CREATE VIRTUAL TABLE "executions_name_fts" USING fts5("Name", content='executions', content_rowid='rowid', tokenize='trigram');
        """ + SqliteRebuild + SqliteTriggers;

    /// <summary>Reindexes every name (after a bulk load with the triggers off, or a VACUUM).</summary>
    public const string SqliteRebuild = """
        INSERT INTO "executions_name_fts"("executions_name_fts") VALUES ('rebuild');
        """;

    public const string SqliteTriggers = """
        CREATE TRIGGER "executions_name_fts_insert" AFTER INSERT ON "executions" BEGIN
            INSERT INTO "executions_name_fts"(rowid, "Name") VALUES (NEW.rowid, NEW."Name");
        END;
        CREATE TRIGGER "executions_name_fts_delete" AFTER DELETE ON "executions" BEGIN
            INSERT INTO "executions_name_fts"("executions_name_fts", rowid, "Name") VALUES ('delete', OLD.rowid, OLD."Name");
        END;
        CREATE TRIGGER "executions_name_fts_update" AFTER UPDATE OF "Name" ON "executions" BEGIN
            INSERT INTO "executions_name_fts"("executions_name_fts", rowid, "Name") VALUES ('delete', OLD.rowid, OLD."Name");
            INSERT INTO "executions_name_fts"(rowid, "Name") VALUES (NEW.rowid, NEW."Name");
        END;
        """;

    public const string SqliteDropTriggers = """
        DROP TRIGGER IF EXISTS "executions_name_fts_insert";
        DROP TRIGGER IF EXISTS "executions_name_fts_delete";
        DROP TRIGGER IF EXISTS "executions_name_fts_update";
        """;

    public const string SqliteDrop = SqliteDropTriggers + """
        DROP TABLE IF EXISTS "executions_name_fts";
        """;

    /// <summary>PostgreSQL: pg_trgm where the database allows the extension (RDS and Aurora do); without it, ILIKE scans as before.</summary>
    public const string PostgresCreate = """
        DO $$
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm is not available to this user: name search scans instead of using a trigram index';
        END
        $$;
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                CREATE INDEX IF NOT EXISTS "IX_executions_Name_trgm" ON "executions" USING gin ("Name" gin_trgm_ops);
            END IF;
        END
        $$;
        """;

    public const string PostgresDrop = """DROP INDEX IF EXISTS "IX_executions_Name_trgm";""";
}
