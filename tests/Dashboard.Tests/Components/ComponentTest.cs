using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Dashboard.ReadModel;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>
/// A bUnit context for the dashboard's components: MudBlazor's services (and a popover provider for selects and menus),
/// the change notifications pages listen to, a fake clock, and sandbox mode. Each test registers its own fakes for the
/// read-model queries before it renders.
/// </summary>
public abstract class ComponentTest : BunitContext, IAsyncLifetime
{

    protected ComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<TimeProvider>(Clock);
        // The ledger publishes on the harness's notifications: with a live ledger, pages listen to those instead of the test's.
        Services.AddSingleton(_ => _liveLedger ? OperationServices.Get<ReadModelChanges>() : Changes);
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddMetrics();
        Services.AddSingleton<Features.Telemetry.DashboardMetrics>();
        Services.AddSingleton(new DashboardModeInfo(DashboardMode.Sandbox, new Uri("http://127.0.0.1:4599/"), "us-east-1"));
        // The action pages' real services, resolved only when a component needs them (bUnit takes no registrations after
        // the first render, and the read model behind them is created in InitializeAsync).
        Services.AddSingleton(_ => OperationServices.Get<ExecutionActions>());
        Services.AddSingleton(_ => OperationServices.Get<OperationQueries>());
        Services.AddSingleton(_ => OperationServices.Get<Features.SyncHealth.SyncHealthQueries>());
        Services.AddSingleton(_ => OperationServices.Get<BulkOperations>());
        Services.AddSingleton(_ => OperationServices.Get<WorkflowCatalog>());
        Services.AddSingleton(_ => OperationServices.Get<Features.Schedules.ScheduleQueries>());
        Services.AddSingleton(_ => OperationServices.Get<Features.Schedules.ScheduleActions>());
        Services.AddSingleton(_ => OperationServices.Get<Microsoft.Extensions.Options.IOptions<Features.Schedules.ScheduleOptions>>());
        Services.AddScoped<CurrentOperator>();
        // Signed out until a test says who is signed in and which policies they pass.
        Authorization = AddAuthorization();
    }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>2026-11-21 06:00 UTC, moved only by the test.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));

    protected ReadModelChanges Changes { get; } = new();

    protected BunitNavigationManager Navigation => Services.GetRequiredService<BunitNavigationManager>();

    /// <summary>Where MudBlazor renders open selects, menus and tooltips.</summary>
    protected IRenderedComponent<MudPopoverProvider>? Popovers { get; private set; }

    /// <summary>Renders a component after the popover provider MudBlazor's selects, menus and tooltips need.</summary>
    protected IRenderedComponent<TComponent> RenderWithPopovers<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null)
        where TComponent : IComponent
    {
        Popovers ??= Render<MudPopoverProvider>();
        return Render(parameters);
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    private SyncHarness? _operations;
    private SyncHarness? _operationsOwner;
    private ReadModelDatabase? _database;
    private bool _liveLedger;

    /// <summary>The read model and AWS client behind the action pages' services (see <see cref="StartOperationServicesAsync"/>).</summary>
    protected SyncHarness OperationServices => _operations ?? _operationsOwner ?? throw new InvalidOperationException("A component needs the operation services: call StartOperationServicesAsync or UseOperationServices in InitializeAsync.");

    /// <summary>
    /// Starts the dashboard's real operation services (ledger, actions, queries) over a fresh SQLite read model, with
    /// AWS at <paramref name="aws"/> (the sandbox, or an address nothing listens on for pages that only read the ledger).
    /// </summary>
    protected async Task StartOperationServicesAsync(Uri aws, bool liveLedger = false)
    {
        _database = await ReadModelDatabase.CreateAsync(ReadModelProvider.Sqlite);
        _operations = new SyncHarness(aws, _database, new Dictionary<string, string?> { ["Operations:RetryAfter"] = "00:00:01" });
        _liveLedger = liveLedger;
    }

    /// <summary>Uses the operation services of a harness the test owns (and disposes), for example an <c>OperationsSandbox</c>'s.</summary>
    protected void UseOperationServices(SyncHarness harness, bool liveLedger = true)
    {
        _operationsOwner = harness;
        _liveLedger = liveLedger;
    }

    // MudBlazor's services are only async-disposable.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await DisposeFixturesAsync();
    }

    /// <summary>What a test class started for its components (a sandbox, a database), after the components are gone.</summary>
    protected virtual async Task DisposeFixturesAsync()
    {
        if (_operations is not null)
        {
            await _operations.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
