using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// The sandbox hosted inside the dashboard process: started before the host is built (its port feeds the AWS client
/// settings), with the CDK template deployed, and stopped with the host (<see cref="LocalSandboxLifetime"/>).
/// </summary>
public sealed class LocalSandbox : IAsyncDisposable
{
    private LocalSandbox(SandboxServer server, IReadOnlyDictionary<string, string> stateMachines, string templatePath)
    {
        Server = server;
        StateMachines = stateMachines;
        TemplatePath = templatePath;
    }

    public SandboxServer Server { get; }

    /// <summary>State machine name → ARN, from the deployed template.</summary>
    public IReadOnlyDictionary<string, string> StateMachines { get; }

    public string TemplatePath { get; }

    public Uri Endpoint => Server.Endpoint;

    public static async Task<LocalSandbox> StartAsync(SandboxModeOptions options, IConfiguration configuration, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var template = SandboxTemplates.Resolve(options.Template);
        if (template is not { Path: { } templatePath })
        {
            throw new InvalidOperationException($"Sandbox mode cannot start: {template?.Error ?? "no CDK template found"}. Set Sandbox:Template, or BatchOps:Mode=Aws.");
        }

        var ecs = SandboxImages.Configure(new EcsSandboxOptions(), configuration);
        if (!ecs.Images.ContainsKey(SandboxImages.WorkerImage))
        {
            throw new InvalidOperationException("Sandbox mode cannot start: the worker is not built (src/Worker/bin). Build the solution, or run `dotnet run --project src/Dashboard`, which builds it.");
        }

        TimeProvider? time = options.TimeScale == 1 ? null : new ScaledTimeProvider(options.TimeScale);
        var server = await SandboxServer.StartAsync(options.Url, time, logging: b => b.AddProvider(new ForwardingLoggerProvider(loggerFactory)), ecsOptions: ecs).ConfigureAwait(false);
        try
        {
            var result = server.Deploy(await File.ReadAllTextAsync(templatePath).ConfigureAwait(false));
            var machines = result.Created.Values
                .Where(v => v.Contains(":stateMachine:", StringComparison.Ordinal))
                .ToDictionary(v => v[(v.LastIndexOf(':') + 1)..], StringComparer.Ordinal);
            return new LocalSandbox(server, machines, templatePath);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>AWS client settings that point every service at the sandbox with its fixed test credentials.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ClientSettings()
    {
        var url = Endpoint.ToString().TrimEnd('/');
        yield return new("Aws:Region", "us-east-1");
        yield return new("Aws:AccessKeyId", "sandbox");
        yield return new("Aws:SecretAccessKey", "sandbox-secret");
        yield return new("Aws:Endpoints:SFN", url);
        yield return new("Aws:Endpoints:ECS", url);
        yield return new("Aws:Endpoints:Scheduler", url);
    }

    /// <summary>Both the host (on stop) and Program (after a failed start) dispose it; the server allows that.</summary>
    public ValueTask DisposeAsync() => Server.DisposeAsync();

    /// <summary>The sandbox's own logs go to the dashboard's logging pipeline.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}

/// <summary>Stops the in-process sandbox (and every worker process it started) when the host stops.</summary>
public sealed class LocalSandboxLifetime(LocalSandbox sandbox) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await sandbox.DisposeAsync().ConfigureAwait(false);
}
