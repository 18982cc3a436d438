using BatchOps.Dashboard.Features.Sandbox;
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
        Services.AddSingleton(Changes);
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(new DashboardModeInfo(DashboardMode.Sandbox, new Uri("http://127.0.0.1:4599/"), "us-east-1"));
    }

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

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only async-disposable.
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
