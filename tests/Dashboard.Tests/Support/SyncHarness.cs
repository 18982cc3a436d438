using BatchOps.Aws;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Features.Schedules;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Sync.Jobs;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// The dashboard's sync and operation services wired as the app wires them (src/Aws clients over HTTP, the real read model), pointed
/// at an AWS endpoint (the sandbox), with every Step Functions call counted.
/// </summary>
public sealed class SyncHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="time">The dashboard's clock (a test's manual clock, shared with the sandbox); the system clock by default.</param>
    public SyncHarness(Uri endpoint, ReadModelDatabase database, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var values = AwsTestSettings.PointedAt(endpoint, database.Settings);
        values["Aws:BaseDelay"] = "00:00:00.010";
        values["Aws:MaxBackoff"] = "00:00:00.100";
        values["Aws:RequestTimeout"] = "00:00:05";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new TestEnvironment());
        services.AddBatchOpsAws(configuration);
        services.AddBatchOpsReadModel(configuration);
        services.AddBatchOpsSync(configuration, ReadModelServiceCollectionExtensions.ReadModelOptionsFrom(configuration), null);
        services.AddBatchOpsOperations(configuration);
        services.AddBatchOpsSchedules(configuration);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, TestLifetime>();
        if (time is not null)
        {
            services.AddSingleton(time);
            // The clients sign and back off on the wall clock, as in sandbox mode: the sandbox checks signatures
            // against it, and a manual clock would never end a retry's wait.
            services.AddKeyedSingleton(AwsServiceCollectionExtensions.ClockKey, TimeProvider.System);
        }

        // The same client over HTTP (TestSupport's, with short backoff), wrapped to count requests.
        services.AddSingleton(_ => new CountingStepFunctions(new TestClients(endpoint, o =>
        {
            o.AccessKeyId = values["Aws:AccessKeyId"];
            o.SecretAccessKey = values["Aws:SecretAccessKey"];
        }).StepFunctions));
        services.AddSingleton<IAmazonStepFunctions>(sp => sp.GetRequiredService<CountingStepFunctions>());
        _services = services.BuildServiceProvider();
        Database = database;
    }

    public ReadModelDatabase Database { get; }

    public CountingStepFunctions StepFunctions => _services.GetRequiredService<CountingStepFunctions>();

    public ExecutionIndexer Indexer => _services.GetRequiredService<ExecutionIndexer>();

    public HistorySynchronizer Histories => _services.GetRequiredService<HistorySynchronizer>();

    public StoppedTaskCapture StoppedTasks => _services.GetRequiredService<StoppedTaskCapture>();

    public SyncStatusStore Status => _services.GetRequiredService<SyncStatusStore>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Runs a sync job class the way Hangfire would (failures recorded, not thrown).</summary>
    public async Task RunJobAsync<TJob>()
        where TJob : SyncJob
    {
        var job = ActivatorUtilities.CreateInstance<TJob>(_services);
        await job.RunAsync(CancellationToken.None);
    }

    public async Task<List<ExecutionRecord>> ExecutionsAsync()
    {
        await using var db = await Database.Contexts.CreateDbContextAsync();
        return await db.Executions.AsNoTracking().ToListAsync();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class TestLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private sealed class TestEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "BatchOps.Dashboard.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
