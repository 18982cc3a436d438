using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// What the sync tests run against: a sandbox enforcing IAM (in process, over HTTP), a SQLite read model, the sync's
/// services on them, and a Step Functions client with the sandbox's administrator keys to set the scene.
/// </summary>
public sealed class SyncSandbox : IAsyncDisposable
{
    private SyncSandbox(SandboxServer sandbox, ReadModelDatabase database, SyncHarness sync, IReadOnlyDictionary<string, string> machines, string? cluster)
    {
        Sandbox = sandbox;
        Database = database;
        Sync = sync;
        Machines = machines;
        Cluster = cluster;
        StepFunctions = SandboxClients.Administrator(sandbox.Endpoint).StepFunctions;
    }

    public SandboxServer Sandbox { get; }

    public ReadModelDatabase Database { get; }

    public SyncHarness Sync { get; }

    /// <summary>The Step Functions client of the sandbox's administrator (not the sync's).</summary>
    public IAmazonStepFunctions StepFunctions { get; }

    /// <summary>The deployed template's state machines by name (empty without a template).</summary>
    public IReadOnlyDictionary<string, string> Machines { get; }

    /// <summary>The deployed template's ECS cluster (null without a template).</summary>
    public string? Cluster { get; }

    /// <summary>A sandbox with no template (state machines created by the test) and the sync signing as the administrator.</summary>
    public static Task<SyncSandbox> StartAsync(IDictionary<string, string?>? settings = null) => StartAsync(TimeProvider.System, template: null, (_, _) => settings ?? new Dictionary<string, string?>());

    /// <summary>
    /// A sandbox on <paramref name="clock"/> that runs the real worker for ECS tasks, with <paramref name="template"/>
    /// deployed when given (no default cluster then), and the sync configured by <paramref name="settings"/> from the
    /// deployed state machines (by name) and cluster.
    /// </summary>
    /// <param name="dashboardClock">The dashboard services' clock (a test's manual clock shared with the sandbox); real time by default.</param>
    public static async Task<SyncSandbox> StartAsync(
        TimeProvider clock,
        string? template,
        Func<IReadOnlyDictionary<string, string>, string?, IDictionary<string, string?>> settings,
        ReadModelProvider provider = ReadModelProvider.Sqlite,
        PostgresFixture? postgres = null,
        TimeProvider? dashboardClock = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var ecs = new EcsSandboxOptions();
        ecs.Images[SandboxImages.WorkerImage] = ["dotnet", BuiltApps.Dll("Worker", "BatchOps.Worker")];
        var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", clock, ecsOptions: ecs, enforceIam: true, defaultCluster: template is null);
        var created = template is null ? [] : sandbox.Deploy(template).Created.Values.ToList();
        var machines = created.Where(v => v.Contains(":stateMachine:", StringComparison.Ordinal)).ToDictionary(v => v[(v.LastIndexOf(':') + 1)..]);
        var cluster = created.SingleOrDefault(v => v.Contains(":cluster/", StringComparison.Ordinal));
        var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        return new SyncSandbox(sandbox, database, new SyncHarness(sandbox.Endpoint, database, settings(machines, cluster), dashboardClock), machines, cluster);
    }

    /// <summary>Creates a state machine running as the sandbox's administrator role.</summary>
    public async Task<string> CreateStateMachineAsync(string name, string definition) =>
        (await StepFunctions.CreateStateMachineAsync(new CreateStateMachineRequest { Name = name, Definition = definition, RoleArn = SandboxClients.AdministratorRoleArn })).StateMachineArn;

    public async ValueTask DisposeAsync()
    {
        await Sync.DisposeAsync();
        await Database.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
