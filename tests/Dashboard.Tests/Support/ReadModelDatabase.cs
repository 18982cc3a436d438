using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>A migrated read model on a real SQLite file or a real PostgreSQL database.</summary>
public sealed class ReadModelDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFile;

    private ReadModelDatabase(ReadModelProvider provider, string connectionString, string? sqliteFile)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFile = sqliteFile;
        Contexts = new Factory(ReadModelContextFactory.Create(provider, connectionString));
    }

    public ReadModelProvider Provider { get; }

    public string ConnectionString { get; }

    public IDbContextFactory<ReadModelDbContext> Contexts { get; }

    /// <summary>Configuration keys that point the dashboard at this database.</summary>
    public Dictionary<string, string?> Settings => Provider == ReadModelProvider.Sqlite
        ? new() { ["ReadModel:Provider"] = "Sqlite", ["ReadModel:SqlitePath"] = _sqliteFile }
        : new() { ["ReadModel:Provider"] = "PostgreSQL", ["ReadModel:ConnectionString"] = ConnectionString };

    /// <param name="migration">Migrate only up to this migration (by name), to test a later one on the data before it.</param>
    public static async Task<ReadModelDatabase> CreateAsync(ReadModelProvider provider, PostgresFixture? postgres = null, string? migration = null)
    {
        ReadModelDatabase database;
        if (provider == ReadModelProvider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), "batchops-tests", $"{Guid.NewGuid():N}.db");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            database = new ReadModelDatabase(provider, $"Data Source={file};Default Timeout=30", file);
        }
        else
        {
            ArgumentNullException.ThrowIfNull(postgres);
            database = new ReadModelDatabase(provider, await postgres.CreateDatabaseAsync("readmodel"), null);
        }

        await using var db = await database.Contexts.CreateDbContextAsync();
        await db.GetService<IMigrator>().MigrateAsync(migration);
        return database;
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_sqliteFile is not null)
        {
            foreach (var file in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" }.Where(File.Exists))
            {
                File.Delete(file);
            }
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Factory(Func<ReadModelDbContext> create) : IDbContextFactory<ReadModelDbContext>
    {
        public ReadModelDbContext CreateDbContext() => create();
    }
}
