using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>Database errors the read model's writers handle, told apart per provider.</summary>
public static class DbErrors
{
    /// <summary>A unique index said no (another writer got there first): SQLite's constraint error, PostgreSQL's 23505.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e?.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
