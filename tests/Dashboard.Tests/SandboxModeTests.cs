using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests;

/// <summary>The sandbox runs as the dashboard's child process and ends with it, however the dashboard ends.</summary>
public sealed class SandboxModeTests
{
    [Theory]
    [InlineData(2, "SIGINT (Ctrl+C)")]
    [InlineData(15, "SIGTERM")]
    [InlineData(9, "SIGKILL (no chance to clean up, as in a crash)")]
    public async Task Ending_the_dashboard_leaves_no_sandbox_or_worker_process(int signal, string how)
    {
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>());
        // The seeded activity keeps a `sleep 3600` job running: a worker process under the sandbox.
        var started = await Eventually.PollAsync(
            "the sandbox and a worker process under the dashboard",
            () => ProcessTree.Descendants(dashboard.Process.Id),
            tree => tree.Any(p => p.CommandLine.Contains("BatchOps.Sandbox.dll", StringComparison.Ordinal)) && tree.Any(p => p.CommandLine.Contains("BatchOps.Worker.dll sleep 3600", StringComparison.Ordinal)),
            describe: tree => string.Join("; ", tree.Select(p => $"{p.Id} {p.CommandLine}")));

        dashboard.Process.Signal(signal);

        await Eventually.PollAsync(
            $"the sandbox and its workers to end after {how}",
            () => started.Where(p => ProcessTree.IsAlive(p.Id)).ToList(),
            alive => alive.Count == 0,
            TimeSpan.FromSeconds(40),
            alive => string.Join("; ", alive.Select(p => $"{p.Id} {p.CommandLine}"))
                + $"\ndashboard {(dashboard.Process.HasExited ? "exited" : "still running")}; its output:\n" + string.Join('\n', dashboard.Process.StandardOutput.TakeLast(60)) + dashboard.Process.StandardError);
    }
}
