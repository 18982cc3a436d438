using System.Collections.Concurrent;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOps.Dashboard.Tests.ReadModel;

/// <summary>Two dashboard instances on one PostgreSQL read model hear each other's changes (LISTEN/NOTIFY).</summary>
public sealed class PostgresChangeRelayTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private sealed class Environment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "BatchOps.Dashboard.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    /// <summary>One instance's read-model services, its relay started (as the host starts it).</summary>
    private static async Task<(ServiceProvider Services, PostgresChangeRelay Relay)> InstanceAsync(ReadModelDatabase database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Environment());
        services.AddBatchOpsReadModel(new ConfigurationBuilder().AddInMemoryCollection(database.Settings).Build());
        var provider = services.BuildServiceProvider();
        var relay = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<PostgresChangeRelay>().Single();
        await relay.StartAsync(CancellationToken.None);
        return (provider, relay);
    }

    [Fact]
    public async Task A_change_on_one_instance_reaches_the_pages_of_the_other_once_with_its_workflows_and_the_clock_stays_local()
    {
        await using var database = await ReadModelDatabase.CreateAsync(ReadModelProvider.PostgreSQL, postgres);
        var (one, oneRelay) = await InstanceAsync(database);
        var (two, twoRelay) = await InstanceAsync(database);
        try
        {
            var onOne = new ConcurrentQueue<ReadModelChangeKind>();
            var onTwo = new ConcurrentQueue<ReadModelChangeKind>();
            var changesOne = one.GetRequiredService<ReadModelChanges>();
            var changesTwo = two.GetRequiredService<ReadModelChanges>();
            using var a = changesOne.Subscribe(ReadModelChangeKind.All, () => onOne.Enqueue(ReadModelChangeKind.All));
            using var batchJobPage = changesTwo.Subscribe(ReadModelChangeKind.Executions, () => onTwo.Enqueue(ReadModelChangeKind.Executions), w => w.Contains("batch-job"));
            using var syncPage = changesTwo.Subscribe(ReadModelChangeKind.SyncStatus | ReadModelChangeKind.Clock, () => onTwo.Enqueue(ReadModelChangeKind.SyncStatus));
            // Both listen before anything is sent (a notification sent before LISTEN is not delivered).
            await Eventually.PollAsync("both relays to listen", () => oneRelay.Listening && twoRelay.Listening);

            changesOne.Publish(ReadModelChangeKind.Clock);
            changesOne.Publish(ReadModelChangeKind.Executions, ["nightly-batch"]);
            changesOne.Publish(ReadModelChangeKind.Executions, ["batch-job"]);
            changesOne.Publish(ReadModelChangeKind.SyncStatus);

            // Notifications from one session arrive in order: once the last is in, the others were handled before it.
            await Eventually.PollAsync("instance two to hear the sync-status change", () => onTwo.Contains(ReadModelChangeKind.SyncStatus));
            Assert.Equal([ReadModelChangeKind.Executions, ReadModelChangeKind.SyncStatus], onTwo.ToArray());
            // Instance one's page heard its four changes once each: its own notifications, which its listener receives
            // before instance two's later one, are not replayed to it (with them the count would pass 5 and never equal it).
            Assert.Equal(4, onOne.Count);
            changesTwo.Publish(ReadModelChangeKind.Operations);
            await Eventually.PollAsync("instance one to hear instance two's change, and nothing else", () => onOne.Count == 5);
        }
        finally
        {
            await oneRelay.StopAsync(CancellationToken.None);
            await twoRelay.StopAsync(CancellationToken.None);
            await one.DisposeAsync();
            await two.DisposeAsync();
        }
    }
}
