using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Sync;
using BatchOps.Sandbox.Ecs;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// Gives a fresh sandbox something to look at by really running the deployed workflows with the real worker, the way
/// production fails: a clean run, an image pull failure that is retried, a transient exit that exhausts its retries,
/// a fatal exit re-run with a corrected command, an out-of-memory stop, callback jobs (one redriven), the nightly
/// batch with its child executions, and a long job still running. Nothing is written to the read model directly:
/// the sync jobs find these executions through the AWS APIs like any others.
/// </summary>
public sealed partial class SandboxActivity(LocalSandbox sandbox, IAmazonStepFunctions stepFunctions, TimeProvider time, ILogger<SandboxActivity> logger) : BackgroundService
{
    public const string WorkerFamily = "batchops-worker";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Seeding is a convenience: a failure is logged, the dashboard keeps running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSeedFailed(ex);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var today = time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var batchJob = sandbox.StateMachines["batch-job"];

        // Fault-driven runs first, one at a time, so each injected fault is consumed by the run meant for it.
        sandbox.Server.Ecs.InjectFault(WorkerFamily, EcsFault.CannotPullContainer);
        var pulled = await StartAsync(batchJob, "export-orders", Input(["report", "--date", today]), ct).ConfigureAwait(false);
        await WaitForAsync(pulled, "TaskFailed", ct).ConfigureAwait(false);

        sandbox.Server.Ecs.InjectFault(WorkerFamily, EcsFault.OutOfMemory);
        var oom = await StartAsync(batchJob, "rebuild-search-index", Input(["allocate", "64", "1"]), ct).ConfigureAwait(false);
        await WaitForStatusAsync(oom, ct).ConfigureAwait(false);

        var ok = await StartAsync(batchJob, "daily-report", Input(["report", "--date", today], ("LOG_LEVEL", "debug")), ct).ConfigureAwait(false);
        var transient = await StartAsync(batchJob, "sync-inventory", Input(["fail", "2", "upstream returned 503"]), ct).ConfigureAwait(false);
        var fatal = await StartAsync(batchJob, "import-invoices", Input(["fail", "1", "invoice file has no header row"]), ct).ConfigureAwait(false);
        await StartAsync(batchJob, "backfill-ledger", Input(["sleep", "3600"]), ct).ConfigureAwait(false);
        await StartAsync(sandbox.StateMachines["callback-job"], "settle-payments", Input(["echo", "settled"]), ct).ConfigureAwait(false);
        var locked = await StartAsync(sandbox.StateMachines["callback-job"], "reconcile-ledger", Input(["fail", "1", "ledger locked by another run"]), ct).ConfigureAwait(false);
        await StartAsync(sandbox.StateMachines["nightly-batch"], "nightly", Input(["report", "--date", today]), ct).ConfigureAwait(false);

        // The callback job that failed is redriven (it resumes at its failed task, and fails again: the lock is still held) ...
        await WaitForStatusAsync(locked, ct).ConfigureAwait(false);
        await stepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = locked, ClientToken = "seed-" + Guid.NewGuid().ToString("N") }, ct).ConfigureAwait(false);

        // ... and the fatal batch job is re-run with a corrected command, linked to it.
        await WaitForStatusAsync(fatal, ct).ConfigureAwait(false);
        var rerunInput = Input(["report", "--date", today], ("IMPORT_MODE", "lenient"));
        rerunInput[ExecutionMapping.RerunMarker] = new Dictionary<string, object> { ["rerunOf"] = fatal };
        await StartAsync(batchJob, Name(fatal) + "-rerun-1", rerunInput, ct, exactName: true).ConfigureAwait(false);

        LogSeeded(sandbox.StateMachines.Count, pulled, ok, transient, oom);
    }

    private static Dictionary<string, object> Input(string[] commands, params (string Name, string Value)[] environment) => new()
    {
        ["commands"] = commands,
        ["environment"] = environment.Select(e => new Dictionary<string, string> { ["Name"] = e.Name, ["Value"] = e.Value }).ToArray(),
    };

    private async Task<string> StartAsync(string stateMachineArn, string name, Dictionary<string, object> input, CancellationToken ct, bool exactName = false)
    {
        var started = await stepFunctions.StartExecutionAsync(
            new StartExecutionRequest
            {
                StateMachineArn = stateMachineArn,
                Name = exactName ? name : $"{name}-{time.GetUtcNow():HHmmss}-{Guid.NewGuid().ToString("N")[..4]}",
                Input = JsonSerializer.Serialize(input),
            },
            ct).ConfigureAwait(false);
        return started.ExecutionArn;
    }

    private static string Name(string executionArn) => executionArn[(executionArn.LastIndexOf(':') + 1)..];

    private async Task WaitForAsync(string executionArn, string eventType, CancellationToken ct)
    {
        for (var i = 0; i < 600; i++)
        {
            var history = await stepFunctions.GetExecutionHistoryAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = 1000 }, ct).ConfigureAwait(false);
            if (history.Events.Any(e => e.Type == eventType))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }
    }

    private async Task WaitForStatusAsync(string executionArn, CancellationToken ct)
    {
        for (var i = 0; i < 600; i++)
        {
            var described = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = executionArn }, ct).ConfigureAwait(false);
            if (described.Status != "RUNNING")
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Sandbox activity started on {StateMachines} state machines (e.g. {Retried}, {Succeeded}, {Transient}, {OutOfMemory})")]
    private partial void LogSeeded(int stateMachines, string retried, string succeeded, string transient, string outOfMemory);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Starting sandbox activity failed; the dashboard keeps running")]
    private partial void LogSeedFailed(Exception ex);
}
