using System.Net.Http.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard of its own for the tests that act (their redrives and stops would change what the journey tests read):
/// sandbox mode as `dotnet run` starts it, without the seeded activity, on a real-time sandbox clock (callback-job's
/// 60 s heartbeat must outlast a rescue), and Chromium.
/// </summary>
public sealed class OperatorActionsFixture : IAsyncLifetime
{
    public DashboardProcess Dashboard { get; private set; } = null!;

    public Support.Browser Browser { get; private set; } = null!;

    public IAmazonStepFunctions Sfn { get; private set; } = null!;

    public HttpClient SandboxAdmin { get; private set; } = null!;

    public string Url(string pathAndQuery) => new Uri(Dashboard.BaseUrl, pathAndQuery).ToString();

    public async Task InitializeAsync()
    {
        Dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:SeedActivity"] = "false",
            ["Sync:ExecutionsInterval"] = "00:00:01",
            ["Sync:HistoryInterval"] = "00:00:01",
            ["Sync:StoppedTasksInterval"] = "00:00:02",
            ["Sync:RunningHistoryRefresh"] = "00:00:01",
            ["Operations:RecoveryInterval"] = "00:00:02",
        });
        Browser = await Support.Browser.LaunchAsync(Dashboard.BaseUrl);
        var sandbox = Dashboard.RequiredSandboxUrl;
        Sfn = SandboxClients.Administrator(sandbox).StepFunctions;
        SandboxAdmin = new HttpClient { BaseAddress = sandbox };
    }

    /// <summary>The ARN of a CDK workflow's state machine in this sandbox.</summary>
    public async Task<string> MachineAsync(string name) =>
        (await Sfn.ListStateMachinesAsync(new())).StateMachines.Single(m => m.Name == name).StateMachineArn;

    public async Task<string> StartAsync(string workflow, string name, string input) =>
        (await Sfn.StartExecutionAsync(new() { StateMachineArn = await MachineAsync(workflow), Name = name, Input = input })).ExecutionArn;

    public async Task<DescribeExecutionResponse> WaitForStatusAsync(string executionArn, string status, TimeSpan? timeout = null) =>
        await Eventually.WaitUntilAsync(
            $"{executionArn} to be {status}",
            () => Sfn.DescribeExecutionAsync(new() { ExecutionArn = executionArn }),
            d => d.Status == status,
            timeout ?? TimeSpan.FromSeconds(90),
            d => $"{d.Status} {d.Error} {d.Cause}");

    public async Task InjectEcsFaultAsync(string fault, int count)
    {
        using var response = await SandboxAdmin.PostAsJsonAsync(new Uri("_sandbox/ecs-faults", UriKind.Relative), new { Family = "batchops-worker", Fault = fault, Count = count });
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearEcsFaultsAsync()
    {
        using var response = await SandboxAdmin.DeleteAsync(new Uri("_sandbox/ecs-faults", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        SandboxAdmin.Dispose();
        await Browser.DisposeAsync();
        await Dashboard.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OperatorActionsCollection : ICollectionFixture<OperatorActionsFixture>
{
    public const string Name = "operator actions";
}
