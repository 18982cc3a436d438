using BatchOps.Aws;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BatchOps.Dashboard.Tests.Sync;

/// <summary>Quartz's clustered ADO job store on the PostgreSQL read model: the production set-up for several instances.</summary>
public sealed class ClusteredSchedulerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Two_instances_share_one_clustered_job_store_and_keep_the_read_model_in_sync()
    {
        await using var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0");
        var sfn = new TestClients(sandbox.Endpoint).StepFunctions;
        var machine = (await sfn.CreateStateMachineAsync(new CreateStateMachineRequest { Name = "export", Definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}""", RoleArn = "arn:aws:iam::000000000000:role/sfn" })).StateMachineArn;
        await sfn.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = "first" });
        await using var database = await ReadModelDatabase.CreateAsync(ReadModelProvider.PostgreSQL, postgres);

        using var one = await StartInstanceAsync(sandbox.Endpoint, database);
        using var two = await StartInstanceAsync(sandbox.Endpoint, database);

        await WaitAsync(async () =>
        {
            await using var db = await database.Contexts.CreateDbContextAsync();
            return await db.Executions.AnyAsync(e => e.Name == "first" && !e.NeedsHistory);
        });
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT count(*) FROM qrtz_job_details WHERE sched_name = 'batchops-sync'"));
        // Each instance checks in on its own cluster check-in cycle, so the second row may lag the first pass.
        await WaitAsync(async () => await ScalarAsync(connection, "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'batchops-sync'") == 2L);

        // Either instance may run the next pass; the read model sees the new execution once.
        await sfn.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = "second" });
        await WaitAsync(async () =>
        {
            await using var db = await database.Contexts.CreateDbContextAsync();
            return await db.Executions.CountAsync(e => e.Name == "second") == 1;
        });

        await one.StopAsync();
        await two.StopAsync();
    }

    private static async Task<IHost> StartInstanceAsync(Uri endpoint, ReadModelDatabase database)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        var settings = AwsTestSettings.PointedAt(endpoint, database.Settings);
        settings["Sync:Clustered"] = "true";
        settings["Sync:ExecutionsInterval"] = "00:00:00.500";
        settings["Sync:HistoryInterval"] = "00:00:00.500";
        settings["Sync:StoppedTasksInterval"] = "00:00:01";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddBatchOpsAws(builder.Configuration);
        builder.Services.AddBatchOpsReadModel(builder.Configuration);
        var readModel = ReadModelServiceCollectionExtensions.ReadModelOptionsFrom(builder.Configuration);
        builder.Services.AddBatchOpsSync(builder.Configuration, readModel, ReadModelContextFactory.PostgresConnectionString(readModel));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(200);
        }
    }
}
