using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Integrations;
using BatchOps.TestSupport;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>
/// A sandbox in this process (so a test can queue failures with its canned responses) and the built dashboard as a
/// real process attached to it (Sandbox:Attach) on its own SQLite read model, which a restarted dashboard reuses.
/// </summary>
public sealed class AttachedDashboard : IAsyncDisposable
{
    private readonly string _readModel = Path.Combine(Path.GetTempPath(), "batchops-tests", $"attached-{Guid.NewGuid():N}.db");
    private readonly Dictionary<string, string?> _settings;

    private AttachedDashboard(SandboxServer sandbox, Dictionary<string, string?> settings)
    {
        Sandbox = sandbox;
        Sfn = SandboxClients.Administrator(sandbox.Endpoint).StepFunctions;
        _settings = settings;
        _settings["Sandbox:Attach"] = "true";
        _settings["Sandbox:Url"] = sandbox.Endpoint.ToString().TrimEnd('/');
        _settings["Sandbox:SeedActivity"] = "false";
        _settings["ReadModel:SqlitePath"] = _readModel;
    }

    public SandboxServer Sandbox { get; }

    public IAmazonStepFunctions Sfn { get; }

    public DashboardProcess Dashboard { get; private set; } = null!;

    public static async Task<AttachedDashboard> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var sandbox = await SandboxServer.StartAsync("http://127.0.0.1:0", enforceIam: true);
        // No template is deployed here: the attached dashboard's sandbox keys act as the administrator.
        sandbox.Credentials.Bind(BatchOps.Sandbox.Hosting.SandboxCredentials.DashboardAccessKeyId, sandbox.Iam.Administrator);
        sandbox.CannedResponses.SetDefault("lambda:invoke", new CannedResponse(Return: new JsonObject { ["ok"] = true }));
        sandbox.CannedResponses.SetDefault("lambda:invoke.waitForTaskToken", new CannedResponse(Hang: true));
        var values = new Dictionary<string, string?>
        {
            ["Sync:ExecutionsInterval"] = "00:00:01",
            ["Sync:HistoryInterval"] = "00:00:01",
            ["Sync:RedriveSweepInterval"] = "00:00:02",
            ["Operations:RecoveryInterval"] = "00:00:01",
            ["Operations:ClaimFor"] = "00:00:03",
            ["Operations:RetryAfter"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var attached = new AttachedDashboard(sandbox, values);
        await attached.StartDashboardAsync();
        return attached;
    }

    /// <summary>(Re)starts the dashboard process on the same sandbox and read model.</summary>
    public async Task StartDashboardAsync() => Dashboard = await DashboardProcess.StartAsync(_settings);

    /// <summary>An HTTP client signed in (through the sandbox's identity provider) as the test user holding <paramref name="role"/>.</summary>
    public Task<HttpClient> ClientAsync(string role = "Admin") => Dashboard.SignInAsync(role.ToLowerInvariant());

    public async Task<string> CreateAsync(string name, string definition)
    {
        var created = await Sfn.CreateStateMachineAsync(new() { Name = name, Definition = definition, RoleArn = SandboxClients.AdministratorRoleArn });
        return created.StateMachineArn;
    }

    /// <summary>Executions of the flaky machine that each fail once (a canned error per execution): FAILED and redrivable.</summary>
    public async Task<List<string>> FailedExecutionsAsync(string machine, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Sandbox.CannedResponses.Enqueue("Work", new CannedResponse(Error: "Work.Failed", Cause: "queued by the test"));
        }

        var arns = new List<string>();
        foreach (var i in Enumerable.Range(1, count))
        {
            arns.Add((await Sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = $"{prefix}-{i}", Input = "{}" })).ExecutionArn);
        }

        await Sandbox.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return arns;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body ?? new { }) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static string Api(string arn, string action) => $"/api/executions/{Uri.EscapeDataString(arn)}/{action}";

    public async ValueTask DisposeAsync()
    {
        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync();
        }

        await Sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _readModel, _readModel + "-wal", _readModel + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    public static HttpStatusCode[] Statuses(IEnumerable<HttpResponseMessage> responses) => [.. responses.Select(r => r.StatusCode)];
}
