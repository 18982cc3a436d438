using BatchOps.TestSupport;
using BatchOps.Dashboard.Tests.Support;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>
/// One dashboard in sandbox mode, as `dotnet run --project src/Dashboard` starts it (real sandbox, real workflows and
/// worker, seeded activity), with a 10× sandbox clock and fast sync so the retries finish within seconds; and Chromium.
/// </summary>
public sealed class SandboxDashboardFixture : IAsyncLifetime
{
    public DashboardProcess Dashboard { get; private set; } = null!;

    public Support.Browser Browser { get; private set; } = null!;

    public string Url(string pathAndQuery) => new Uri(Dashboard.BaseUrl, pathAndQuery).ToString();

    public async Task InitializeAsync()
    {
        Dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:TimeScale"] = "10",
            ["Sync:ExecutionsInterval"] = "00:00:01",
            ["Sync:HistoryInterval"] = "00:00:01",
            ["Sync:StoppedTasksInterval"] = "00:00:02",
            ["Sync:RunningHistoryRefresh"] = "00:00:01",
            ["Sync:RedriveSweepInterval"] = "00:00:02",
        });
        Browser = await Support.Browser.LaunchAsync(Dashboard.BaseUrl);

        // Wait until the seeded failures (after their retries) and the redrive are in the read model.
        using var client = await Dashboard.SignInAsync("viewer");
        await Eventually.WaitUntilAsync(
            "the sandbox activity (sync-inventory failed after its retries, a redrive, its stopped tasks) to reach the read model",
            async () => (Failed: await client.GetStringAsync(new Uri("/executions?status=FAILED", UriKind.Relative)), Stopped: await client.GetStringAsync(new Uri("/stopped-tasks?exit=2", UriKind.Relative))),
            pages => pages.Failed.Contains("data-execution=\"sync-inventory", StringComparison.Ordinal)
                && pages.Failed.Contains("redriven ×1", StringComparison.Ordinal)
                && pages.Stopped.Contains("sync-inventory", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90),
            _ => "dashboard output:\n" + string.Join('\n', Dashboard.Process.StandardOutput) + Dashboard.Process.StandardError);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Dashboard.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxDashboardCollection : ICollectionFixture<SandboxDashboardFixture>
{
    public const string Name = "sandbox dashboard";
}
