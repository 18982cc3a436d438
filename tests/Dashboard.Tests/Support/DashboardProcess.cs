using System.Net;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Support;

/// <summary>
/// The built dashboard as a real process on a free loopback port, configured through environment variables the way
/// an operator configures it. Stopped with SIGTERM on dispose.
/// </summary>
public sealed class DashboardProcess : IAsyncDisposable
{
    private DashboardProcess(ChildProcess process, Uri baseUrl)
    {
        Process = process;
        BaseUrl = baseUrl;
    }

    public ChildProcess Process { get; }

    public Uri BaseUrl { get; }

    /// <summary>The sandbox's address in sandbox mode, as the dashboard announced it; null in AWS mode.</summary>
    public Uri? SandboxUrl => DashboardBanner.Sandbox(Process.StandardOutput);

    /// <summary>The sandbox's address in sandbox mode; fails, saying so, when the dashboard did not announce one.</summary>
    public Uri RequiredSandboxUrl => SandboxUrl ?? throw new InvalidOperationException("The dashboard did not say where its sandbox listens.");

    /// <summary>A client of the sandbox's admin API (faults, identity provider users and tokens).</summary>
    public HttpClient CreateSandboxAdminClient() => new() { BaseAddress = RequiredSandboxUrl };

    /// <param name="environment">Development by default, as `dotnet run` starts it: a build (not a publish) serves the
    /// framework's static files (blazor.web.js) only through the development static web assets manifest.</param>
    public static async Task<DashboardProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string environment = "Development", TimeSpan? timeout = null)
    {
        var variables = settings.ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value);
        variables["ASPNETCORE_ENVIRONMENT"] = environment;
        variables["Logging__LogLevel__Default"] = "Warning";
        // Started as a terminal's foreground job is (where Ctrl+C comes from): with SIGINT at its default. A test run
        // started in the background by a non-interactive shell inherits SIGINT ignored, and .NET keeps an ignored
        // SIGINT ignored, so without this the dashboard would never see the Ctrl+C a test sends it.
        var process = ChildProcess.Start("env", ["--default-signal=INT", "dotnet", BuiltApps.Dll("Dashboard", "BatchOps.Dashboard"), "--urls", "http://127.0.0.1:0"], variables);
        try
        {
            await process.WaitForOutputAsync(DashboardBanner.IsBanner, timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            process.Dispose();
            throw new InvalidOperationException($"The dashboard did not start: {e.Message}\nstdout:\n{string.Join('\n', process.StandardOutput)}\nstderr:\n{process.StandardError}", e);
        }

        return new DashboardProcess(process, DashboardBanner.Dashboard(process.StandardOutput));
    }

    /// <summary>A client without a session.</summary>
    public HttpClient CreateClient() => SignInFlow.NewClient(BaseUrl);

    /// <summary>A client signed in through the sandbox's identity provider as a test user: operator, viewer or admin.</summary>
    public Task<HttpClient> SignInAsync(string user = "admin") => SignInFlow.SignInAsync(BaseUrl, user);

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Terminate();
        }

        await Process.WaitAsync(TimeSpan.FromSeconds(30));
        Process.Dispose();
    }
}
