using System.Diagnostics;
using BatchOps.TestSupport;
using Npgsql;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// A real PostgreSQL server (Debian's package, started by tests/scripts/ensure-postgres.sh, reused across test runs)
/// and a fresh database per use. Fails loudly when PostgreSQL cannot be installed or started. <c>BATCHOPS_POSTGRES</c>
/// (a connection string to a server where the tests may create databases) uses another server instead.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];

    public string ServerConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("BATCHOPS_POSTGRES") is { Length: > 0 } configured)
        {
            ServerConnectionString = configured;
            return;
        }

        var script = Path.Combine(RepositoryPaths.Root, "tests", "scripts", "ensure-postgres.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"PostgreSQL could not be started by {script} (exit {process.ExitCode}): {await stderr}");
        }

        ServerConnectionString = (await stdout).Trim().Split('\n')[^1];
    }

    /// <summary>An empty database, dropped when the fixture is disposed.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
