using BatchOps.Aws;
using BatchOps.Dashboard.Components;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Overview;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard;

/// <summary>Composition of the dashboard: mode, read model, sync, sign-in and pages. Program.cs stays a few lines.</summary>
public static class DashboardHost
{
    /// <summary>
    /// Registers everything. In sandbox mode this starts the in-process sandbox first, because its port becomes the
    /// AWS endpoint the clients use; the returned handle owns it until the host takes over (LocalSandboxLifetime).
    /// </summary>
    public static async Task<LocalSandbox?> AddBatchOpsDashboardAsync(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var services = builder.Services;
        var mode = configuration.GetSection(BatchOpsOptions.SectionName).Get<BatchOpsOptions>()?.Mode ?? DashboardMode.Sandbox;

        LocalSandbox? sandbox = null;
        if (mode == DashboardMode.Sandbox)
        {
            var sandboxOptions = configuration.GetSection(SandboxModeOptions.SectionName).Get<SandboxModeOptions>() ?? new SandboxModeOptions();
            var loggerFactory = LoggerFactory.Create(b => b.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole().AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning));
            sandbox = await LocalSandbox.StartAsync(sandboxOptions, configuration, loggerFactory).ConfigureAwait(false);
            configuration.AddInMemoryCollection(sandbox.ClientSettings());
            // The sandbox's executions live as long as this process: so does its read model, unless one is configured.
            if (configuration["ReadModel:SqlitePath"] is null && configuration["ReadModel:Provider"] is null or "Sqlite")
            {
                configuration.AddInMemoryCollection(
                [
                    new("ReadModel:SqlitePath", Path.Combine(Path.GetTempPath(), "batchops", $"sandbox-{Environment.ProcessId}.db")),
                    new("ReadModel:ResetOnStart", "true"),
                ]);
            }

            services.AddSingleton(sandbox);
            services.AddHostedService<LocalSandboxLifetime>();
            if (sandboxOptions.SeedActivity)
            {
                services.AddHostedService<SandboxActivity>();
            }
        }

        services.AddBatchOpsAws(configuration);
        services.AddSingleton(sp => new DashboardModeInfo(
            mode,
            sandbox?.Endpoint,
            configuration["BatchOps:ConsoleRegion"] ?? configuration["Aws:Region"] ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1"));

        // Read model and sync.
        services.AddBatchOpsReadModel(configuration);
        var readModel = ReadModelServiceCollectionExtensions.ReadModelOptionsFrom(configuration);
        services.AddBatchOpsSync(configuration, readModel, readModel.Provider == ReadModelProvider.PostgreSQL ? ReadModelContextFactory.PostgresConnectionString(readModel) : null);

        // Pages.
        services.AddSingleton<ExecutionQueries>();
        services.AddSingleton<ExecutionDetailQueries>();
        services.AddSingleton<StoppedTaskQueries>();
        services.AddSingleton<OverviewQueries>();
        services.AddScoped<ExecutionsViewModel>();
        services.AddScoped<ExecutionDetailViewModel>();
        services.AddBatchOpsAuth(configuration, builder.Environment, mode);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddHealthChecks();
        return sandbox;
    }

    /// <summary>Migrates the read model, then maps sign-in, health, the sandbox's task logs and the pages.</summary>
    public static async Task UseBatchOpsDashboardAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await MigrateReadModelAsync(app.Services).ConfigureAwait(false);

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz").AllowAnonymous();
        app.MapBatchOpsAuth();
        if (app.Services.GetService<LocalSandbox>() is { } sandbox)
        {
            app.MapGet(DashboardUrls.SandboxTaskLogsPath, (string? task) =>
                task is null ? Results.BadRequest("Pass ?task=<task ARN>.")
                : sandbox.Server.Ecs.Logs(task) is { Count: > 0 } lines ? Results.Text(string.Join('\n', lines) + "\n", "text/plain; charset=utf-8")
                : Results.NotFound($"The sandbox has no output for {task} (unknown task, or stopped more than an hour ago)."));
        }

        app.MapGet("/error", () => Results.Problem("The dashboard hit an unexpected error; it is logged on the server.")).AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.Lifetime.ApplicationStarted.Register(() => Announce(app));
    }

    public static async Task MigrateReadModelAsync(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<ReadModelOptions>>().Value;
        var factory = services.GetRequiredService<ReadModelContextFactory>();
        if (factory.Provider == ReadModelProvider.Sqlite)
        {
            var path = ReadModelContextFactory.SqlitePath(options, services.GetRequiredService<IHostEnvironment>().ContentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (options.ResetOnStart)
            {
                foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
                {
                    File.Delete(file);
                }
            }
        }

        await using var db = factory.CreateDbContext();
        await db.Database.MigrateAsync().ConfigureAwait(false);
        if (factory.Provider == ReadModelProvider.Sqlite)
        {
            // Readers (pages) and the writer (sync) work at the same time without blocking each other.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;").ConfigureAwait(false);
            // Refreshes the query planner's statistics where they are stale (cheap; SQLite's advice for long-lived apps).
            await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002;").ConfigureAwait(false);
        }
    }

    private static void Announce(WebApplication app)
    {
        var mode = app.Services.GetRequiredService<DashboardModeInfo>();
        foreach (var url in app.Urls)
        {
            Console.WriteLine(mode.IsSandbox
                ? $"BatchOps dashboard: {url}  (sandbox mode: local AWS at {mode.SandboxEndpoint}, signed in as the local operator)"
                : $"BatchOps dashboard: {url}  (AWS mode, region {mode.Region})");
        }
    }
}
