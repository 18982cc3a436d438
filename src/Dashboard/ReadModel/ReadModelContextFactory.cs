using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchOps.Dashboard.ReadModel;

/// <summary>Creates the provider's context for each unit of work (Blazor components and jobs never share one).</summary>
public sealed class ReadModelContextFactory : IDbContextFactory<ReadModelDbContext>
{
    private readonly Func<ReadModelDbContext> _create;

    public ReadModelContextFactory(IOptions<ReadModelOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var o = options.Value;
        Provider = o.Provider;
        ConnectionString = o.Provider == ReadModelProvider.Sqlite ? SqliteConnectionString(o, environment.ContentRootPath) : PostgresConnectionString(o);
        _create = Create(o.Provider, ConnectionString);
    }

    public ReadModelProvider Provider { get; }

    /// <summary>Contains the PostgreSQL password: never log it.</summary>
    internal string ConnectionString { get; }

    public ReadModelDbContext CreateDbContext() => _create();

    internal static Func<ReadModelDbContext> Create(ReadModelProvider provider, string connectionString)
    {
        if (provider == ReadModelProvider.Sqlite)
        {
            var options = new DbContextOptionsBuilder<SqliteReadModelDbContext>().UseSqlite(connectionString).Options;
            return () => new SqliteReadModelDbContext(options);
        }

        var pg = new DbContextOptionsBuilder<PostgresReadModelDbContext>()
            .UseNpgsql(connectionString, b => b.EnableRetryOnFailure(3))
            .Options;
        return () => new PostgresReadModelDbContext(pg);
    }

    internal static string SqlitePath(ReadModelOptions options, string contentRoot) =>
        Path.GetFullPath(options.SqlitePath ?? "batchops.db", contentRoot);

    private static string SqliteConnectionString(ReadModelOptions options, string contentRoot) =>
        new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = SqlitePath(options, contentRoot), DefaultTimeout = 30, Pooling = true }.ToString();

    internal static string PostgresConnectionString(ReadModelOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString ?? "");
        if (options.ConnectionString is null)
        {
            builder.Host = options.Host;
            builder.Port = options.Port;
            builder.Database = options.Database;
            builder.Username = options.Username;
        }

        if (options.Password is not null)
        {
            builder.Password = options.Password;
        }

        return builder.ConnectionString;
    }
}

/// <summary>Design-time factories for `dotnet ef migrations add` (no database is contacted).</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReadModelDbContext>
{
    public SqliteReadModelDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReadModelDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresReadModelDbContext>
{
    public PostgresReadModelDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReadModelDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
