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

    [Theory]
    [InlineData(ReadModelProvider.Sqlite)]
    [InlineData(ReadModelProvider.PostgreSQL)]
    public async Task A_history_stored_as_one_blob_is_kept_as_its_first_chunk_with_no_last_event_id(ReadModelProvider provider)
    {
        const string Arn = "arn:aws:states:us-east-1:000000000000:execution:export:before-chunks";
        var events = Enumerable.Range(1, 3).Select(i => new BatchOps.Aws.StepFunctions.HistoryEvent { Id = i, PreviousEventId = i - 1, Type = "PassStateEntered", Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i) }).ToList();
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres, migration: "Backfill");
        await using (var before = await database.Contexts.CreateDbContextAsync())
        {
            await before.Database.ExecuteSqlRawAsync(
                """INSERT INTO execution_histories ("ExecutionArn", "EventCount", "EventsJson", "FetchedAt") VALUES ({0}, {1}, {2}, {3})""",
                Arn, 3, StoredHistory.Serialize(events), DateTimeOffset.UtcNow);
        }

        await using var db = await database.Contexts.CreateDbContextAsync();
        await db.Database.MigrateAsync();

        var history = await db.Histories.SingleAsync(h => h.ExecutionArn == Arn);
        Assert.Equal((3, 0L), (history.EventCount, history.LastEventId));
        Assert.Equal([1L, 2, 3], (await StoredHistory.ReadAsync(db, Arn, 3, CancellationToken.None)).Select(e => e.Id));
    }
}
