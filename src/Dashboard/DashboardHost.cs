using BatchOps.Aws;
using BatchOps.Dashboard.Components;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Features.Overview;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Features.Schedules;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.Features.Telemetry;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace BatchOps.Dashboard;

/// <summary>Composition of the dashboard: mode, read model, sync, sign-in and pages. Program.cs stays a few lines.</summary>
public static class DashboardHost
{
    /// <summary>
    /// Registers everything; starts nothing. In sandbox mode the sandbox's address is fixed here (the AWS clients'
    /// endpoint) and its process is the first hosted service, so it is healthy before the sync jobs start.
    /// </summary>
    public static WebApplicationBuilder AddBatchOpsDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var services = builder.Services;
        var mode = configuration.GetSection(BatchOpsOptions.SectionName).Get<BatchOpsOptions>()?.Mode ?? DashboardMode.Sandbox;

        SandboxEndpoint? sandbox = null;
        var sandboxOptions = configuration.GetSection(SandboxModeOptions.SectionName).Get<SandboxModeOptions>() ?? new SandboxModeOptions();
        if (mode == DashboardMode.Sandbox)
        {
            if (sandboxOptions.Executable is null && !sandboxOptions.Attach)
            {
                throw new InvalidOperationException(SandboxEndpoint.NotBuiltMessage);
            }

            sandbox = SandboxEndpoint.From(sandboxOptions);
            configuration.AddInMemoryCollection(SandboxClientSettings(sandbox.Uri));
            // Operators sign in at the sandbox's development identity provider, unless a real one is configured.
            if (!configuration.GetSection(SignInProvider.AzureAdSection).Exists() && !configuration.GetSection(OidcOptions.SectionName).Exists())
            {
                configuration.AddInMemoryCollection(SignInProvider.SandboxSettings(sandbox.Uri));
            }

            // The sandbox's executions live as long as this process: so does its read model, unless one is configured.
            if (configuration["ReadModel:SqlitePath"] is null && configuration["ReadModel:Provider"] is null or "Sqlite")
            {
                var file = SandboxReadModelFile.For(Path.Combine(Path.GetTempPath(), "batchops"));
                configuration.AddInMemoryCollection([new("ReadModel:SqlitePath", file), new("ReadModel:ResetOnStart", "true")]);
                services.AddHostedService(sp => ActivatorUtilities.CreateInstance<SandboxReadModelFile>(sp, file));
            }

            services.AddOptions<SandboxModeOptions>().Bind(configuration.GetSection(SandboxModeOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.AddSingleton(sandbox);
            // "Now" is the sandbox's (aligned once it answers), whatever its TimeScale.
            services.AddSingleton(_ => new SandboxClock(TimeProvider.System));
            services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SandboxClock>());
            // AWS requests are signed with the wall clock, which the sandbox checks signatures against (as AWS does).
            services.AddKeyedSingleton(AwsServiceCollectionExtensions.ClockKey, TimeProvider.System);
            if (sandboxOptions.Attach)
            {
                services.AddHostedService<SandboxAttachment>();
            }
            else
            {
                services.AddSingleton<SandboxProcess>();
                services.AddHostedService(sp => sp.GetRequiredService<SandboxProcess>());
            }

            services.AddHostedService<SandboxClockAlignment>();

            services.AddHttpClient<SandboxAdminClient>(http => http.BaseAddress = sandbox.Uri);
            if (sandboxOptions.SeedActivity)
            {
                services.AddHostedService<SandboxActivity>();
            }
        }

        services.AddBatchOpsAws(configuration);
        services.AddSingleton(sp => new DashboardModeInfo(
            mode,
            sandbox?.Uri,
            configuration["BatchOps:ConsoleRegion"] ?? configuration["Aws:Region"] ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
            // Only a sandbox this dashboard starts is told to enforce IAM; an attached one decides for itself.
            mode == DashboardMode.Sandbox && !sandboxOptions.Attach && sandboxOptions.EnforceIam));

        // Read model and sync.
        services.AddBatchOpsReadModel(configuration);
        var readModel = ReadModelServiceCollectionExtensions.ReadModelOptionsFrom(configuration);
        services.AddBatchOpsSync(configuration, readModel, readModel.Provider == ReadModelProvider.PostgreSQL ? ReadModelContextFactory.PostgresConnectionString(readModel) : null);

        // Pages.
        services.AddSingleton<ExecutionQueries>();
        services.AddSingleton<IExecutionQueries>(sp => sp.GetRequiredService<ExecutionQueries>());
        services.AddSingleton<IExecutionDetailQueries, ExecutionDetailQueries>();
        services.AddSingleton<IStoppedTaskQueries, StoppedTaskQueries>();
        services.AddSingleton<IOverviewQueries, OverviewQueries>();
        services.AddSingleton<ISyncHealth>(sp => sp.GetRequiredService<SyncStatusStore>());
        services.AddHostedService<ClockTicks>();
        services.AddBatchOpsOperations(configuration);
        services.AddBatchOpsTelemetry(configuration);
        services.AddBatchOpsSchedules(configuration);
        services.AddScoped<ExecutionsViewModel>();
        services.AddScoped<ExecutionDetailViewModel>();
        services.AddBatchOpsAuth(configuration, mode);
        // One key ring in the read model for every instance: a cookie or antiforgery token one issues, another reads.
        services.AddScoped(sp => sp.GetRequiredService<ReadModelContextFactory>().CreateDbContext());
        services.AddDataProtection().SetApplicationName("BatchOps.Dashboard").PersistKeysToDbContext<ReadModelDbContext>();
        // A workflow's input may be 256 KiB and is typed or pasted into a form field: the circuit must carry it
        // (SignalR's default is 32 KiB per message, past which the connection drops).
        services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(o => o.MaximumReceiveMessageSize = 1024 * 1024);
        services.AddMudServices();
        services.AddHealthChecks().AddCheck<ReadModelHealthCheck>("read-model");
        services.AddBatchOpsRateLimits(configuration);
        services.AddBatchOpsForwardedHeaders(configuration);
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        services.AddProblemDetails();
        // The API speaks enums by name (Succeeded, not 2), as the pages show them.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "BatchOps API";
            document.Info.Description = "Operator actions on AWS Step Functions executions: start, redrive, re-run, stop, callback rescue, bulk. Same validation, roles and ledger as the pages.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>AWS client settings that point every service at the sandbox with its fixed local credentials.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> SandboxClientSettings(Uri endpoint)
    {
        var url = endpoint.ToString().TrimEnd('/');
        yield return new("Aws:Region", "us-east-1");
        yield return new("Aws:AccessKeyId", "sandbox");
        yield return new("Aws:SecretAccessKey", "sandbox-secret");
        yield return new("Aws:Endpoints:SFN", url);
        yield return new("Aws:Endpoints:ECS", url);
        yield return new("Aws:Endpoints:Scheduler", url);
    }

    /// <summary>Migrates the read model, then maps sign-in, health, the sandbox's task logs and the pages.</summary>
    public static async Task UseBatchOpsDashboardAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await MigrateReadModelAsync(app.Services).ConfigureAwait(false);

        // Scheme and client address from the load balancer only (ForwardedHeaders:KnownNetworks), before anything reads them.
        app.UseBatchOpsForwardedHeaders();
        app.UseBatchOpsSecurityHeaders(new Uri(app.Services.GetRequiredService<SignInProvider>().Authority));
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            // Sent on HTTPS only (behind the load balancer's certificate): browsers then never try plain http.
            app.UseHsts();
        }

        // Addresses no endpoint answers render the dashboard's own Not found page (with a 404 status).
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            // Not for the API: its callers get the status and a problem document, not a page.
            if (context.Request.Path.StartsWithSegments(DashboardUrls.ApiPath, StringComparison.Ordinal) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }

            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz").AllowAnonymous();
        app.MapBatchOpsMetrics();
        app.MapBatchOpsAuth();
        app.MapOpenApi().AllowAnonymous();
        app.MapBatchOpsApi().MapSchedulesApi().RequireRateLimiting(RateLimitOptions.ApiPolicy);
        app.MapAuditExport();
        if (app.Services.GetService<SandboxAdminClient>() is not null)
        {
            app.MapGet(DashboardUrls.SandboxTaskLogsPath, async (string? task, SandboxAdminClient sandbox, CancellationToken cancellationToken) =>
                task is null ? Results.BadRequest("Pass ?task=<task ARN>.")
                : await sandbox.GetTaskLogsAsync(task, cancellationToken).ConfigureAwait(false) is { } logs ? Results.Text(logs, "text/plain; charset=utf-8")
                : Results.NotFound($"The sandbox has no output for {task} (unknown task, or stopped more than an hour ago)."));
        }

        // Hangfire's own dashboard: Admins only (the navigation shows it to them alone); its POSTs carry antiforgery tokens.
        app.MapHangfireDashboard(DashboardUrls.JobsPath, new DashboardOptions
        {
            Authorization = [],
            AppPath = DashboardUrls.OverviewPath,
            DashboardTitle = "BatchOps background jobs",
            DarkModeEnabled = true,
        }).RequireAuthorization(BatchOpsPolicies.Administer);
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
                ? $"BatchOps dashboard: {url}  (sandbox mode: local AWS and sign-in at {mode.SandboxEndpoint})"
                : $"BatchOps dashboard: {url}  (AWS mode, region {mode.Region})");
        }
    }
}
