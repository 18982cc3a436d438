using System.ComponentModel.DataAnnotations;

namespace BatchOps.Dashboard.ReadModel;

public enum ReadModelProvider
{
    Sqlite,
    PostgreSQL,
}

/// <summary>The <c>ReadModel</c> section. SQLite by default; PostgreSQL for production and several instances.</summary>
public sealed class ReadModelOptions : IValidatableObject
{
    public const string SectionName = "ReadModel";

    public ReadModelProvider Provider { get; set; } = ReadModelProvider.Sqlite;

    /// <summary>SQLite file; relative paths are under the app's data directory. Default: batchops.db (sandbox mode: a fresh file per run).</summary>
    public string? SqlitePath { get; set; }

    /// <summary>Delete the SQLite file at start (sandbox mode: the sandbox's executions live only as long as the process).</summary>
    public bool ResetOnStart { get; set; }

    /// <summary>A full connection string; overrides Host/Port/Database/Username for PostgreSQL.</summary>
    public string? ConnectionString { get; set; }

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 5432;

    public string? Database { get; set; }

    public string? Username { get; set; }

    /// <summary>Bound from <c>ConnectionStrings:ReadModelPassword</c> (an ECS secret in production), never logged.</summary>
    public string? Password { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == ReadModelProvider.PostgreSQL && ConnectionString is null && (Host is null || Database is null || Username is null))
        {
            yield return new ValidationResult("ReadModel:Provider is PostgreSQL: set ReadModel:ConnectionString, or ReadModel:Host, ReadModel:Database and ReadModel:Username (password in ConnectionStrings:ReadModelPassword).", [nameof(Host)]);
        }
    }
}
