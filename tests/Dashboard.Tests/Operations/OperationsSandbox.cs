using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Integrations;
using BatchOps.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>
/// The sandbox over HTTP, a real read model and the dashboard's operation services as the app wires them, with small
/// state machines whose failures the sandbox's canned responses decide (so no worker process is needed).
/// </summary>
public sealed class OperationsSandbox : IAsyncDisposable
{
    /// <summary>A task that fails while a canned error is queued for its state "Work", and succeeds after.</summary>
    public const string FlakyDefinition = """{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"work","Payload.$":"$"},"End":true}}}""";

    /// <summary>A contract workflow with a resume router: First then Second, or straight to Second.</summary>
    public const string ContractDefinition = """
        {"StartAt":"Resume?","States":{
          "Resume?":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.resumeFrom","IsPresent":true},{"Variable":"$.resumeFrom","StringEquals":"Second"}],"Next":"Second"}],"Default":"First"},
          "First":{"Type":"Pass","Next":"Second"},
          "Second":{"Type":"Wait","Seconds":3600,"End":true}}}
        """;

    /// <summary>Waits for a callback nobody sends (the canned response hangs), like callback-job after its worker died.</summary>
    public const string WaiterDefinition = """{"StartAt":"Wait for worker","States":{"Wait for worker":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"work","Payload":{"TaskToken.$":"$$.Task.Token"}},"End":true}}}""";

    public static readonly OperationActor Admin = new("ada", new HashSet<string> { BatchOpsRoles.Admin });
    public static readonly OperationActor Operator = new("otto", new HashSet<string> { BatchOpsRoles.Operator });
    public static readonly OperationActor Viewer = new("vera", new HashSet<string> { BatchOpsRoles.Viewer });

    private readonly SyncSandbox _scene;

    private OperationsSandbox(SyncSandbox scene) => _scene = scene;

    public SandboxServer Sandbox => _scene.Sandbox;

    public ReadModelDatabase Database => _scene.Database;

    public SyncHarness Harness => _scene.Sync;

    public IAmazonStepFunctions Sfn => _scene.StepFunctions;

    public ExecutionActions Actions => Harness.Get<ExecutionActions>();

    /// <param name="time">One clock for the sandbox and the dashboard's services (a test's manual clock); real time by default.</param>
    public static async Task<OperationsSandbox> StartAsync(ReadModelProvider provider = ReadModelProvider.Sqlite, PostgresFixture? postgres = null, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var values = new Dictionary<string, string?> { ["Operations:RetryAfter"] = "00:00:01", ["Operations:ClaimFor"] = "00:00:02" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var scene = await SyncSandbox.StartAsync(time ?? TimeProvider.System, template: null, (_, _) => values, provider, postgres, dashboardClock: time);
        scene.Sandbox.CannedResponses.SetDefault("lambda:invoke", new CannedResponse(Return: new JsonObject { ["ok"] = true }));
        scene.Sandbox.CannedResponses.SetDefault("lambda:invoke.waitForTaskToken", new CannedResponse(Hang: true));
        return new OperationsSandbox(scene);
    }

    public async Task<string> CreateAsync(string name, string definition, bool contract = false)
    {
        var created = await Sfn.CreateStateMachineAsync(new()
        {
            Name = name,
            Definition = definition,
            RoleArn = SandboxClients.AdministratorRoleArn,
            Tags = contract ? [new Tag { Key = WorkflowTags.Input, Value = WorkflowTags.ContractInput }] : null,
        });
        await Harness.Indexer.RunAsync(CancellationToken.None);
        return created.StateMachineArn;
    }

    /// <summary>Starts an execution of the flaky machine with a failure queued: it ends FAILED and redrivable.</summary>
    public async Task<string> FailedExecutionAsync(string machine, string name)
    {
        Sandbox.CannedResponses.Enqueue("Work", new CannedResponse(Error: "Work.Failed", Cause: "queued by the test"));
        var started = await Sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = name, Input = "{}" });
        await Sandbox.StepFunctions.WhenFinishedAsync(started.ExecutionArn, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await Harness.Indexer.RunAsync(CancellationToken.None);
        return started.ExecutionArn;
    }

    public async Task<DescribeExecutionResponse> DescribeAsync(string executionArn) => await Sfn.DescribeExecutionAsync(new() { ExecutionArn = executionArn });

    public async Task<List<OperationRecord>> LedgerAsync()
    {
        await using var db = await Database.Contexts.CreateDbContextAsync();
        return await db.Operations.AsNoTracking().OrderBy(o => o.Id).ToListAsync();
    }

    public async Task<int> ExecutionCountAsync(string machine) => (await Sfn.ListExecutionsAsync(new() { StateMachineArn = machine, MaxResults = 1000 })).Executions.Count;

    public ValueTask DisposeAsync() => _scene.DisposeAsync();
}
