using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.ReadModel;

public sealed class MigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData(ReadModelProvider.Sqlite)]
    [InlineData(ReadModelProvider.PostgreSQL)]
    public async Task Each_provider_has_migrations_for_the_whole_model_and_they_apply_to_an_empty_database(ReadModelProvider provider)
    {
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        await using var db = await database.Contexts.CreateDbContextAsync();

        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} model changed without a migration: run `dotnet ef migrations add <Name> --project src/Dashboard --context {db.GetType().Name} --output-dir ReadModel/Migrations/{provider}`.");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
    }
}
