using System.Globalization;
using System.Text.Json;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// Gives a fresh sandbox something to look at by really running the deployed workflows with the real worker, the way
/// production fails: a clean run, an image pull failure that is retried, a transient exit that exhausts its retries,
/// a fatal exit re-run with a corrected command, an out-of-memory stop, callback jobs (one redriven), the nightly
/// batch with its child executions, and a long job still running. Everything goes through the AWS APIs and the
/// sandbox's admin API; the sync jobs find these executions like any others.
/// </summary>
public sealed partial class SandboxActivity(SandboxAdminClient sandbox, IAmazonStepFunctions stepFunctions, TimeProvider time, ILogger<SandboxActivity> logger) : BackgroundService
{
    public const string WorkerFamily = "batchops-worker";
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

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
        var machines = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var machine in stepFunctions.ListStateMachinesItemsAsync(new ListStateMachinesRequest(), ct).ConfigureAwait(false))
        {
            machines[machine.Name] = machine.StateMachineArn;
        }

        string Machine(string name) => machines.TryGetValue(name, out var arn) ? arn
            : throw new InvalidOperationException($"The sandbox has no state machine {name}; deployed: {string.Join(", ", machines.Keys)}.");

        var today = time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var batchJob = Machine("batch-job");

        // Fault-driven runs first, one at a time, so each injected fault is consumed by the run meant for it.
        await sandbox.InjectEcsFaultAsync(WorkerFamily, SandboxEcsFault.CannotPullContainer, ct).ConfigureAwait(false);
        var pulled = await StartAsync(batchJob, "export-orders", Input(["report", "--date", today]), ct).ConfigureAwait(false);
        await WaitForEventAsync(pulled, HistoryEventType.TaskFailed, ct).ConfigureAwait(false);

        await sandbox.InjectEcsFaultAsync(WorkerFamily, SandboxEcsFault.OutOfMemory, ct).ConfigureAwait(false);
        var oom = await StartAsync(batchJob, "rebuild-search-index", Input(["allocate", "64", "1"]), ct).ConfigureAwait(false);
        await WaitUntilStoppedAsync(oom, ct).ConfigureAwait(false);

        var ok = await StartAsync(batchJob, "daily-report", Input(["report", "--date", today], new EnvironmentVariable("LOG_LEVEL", "debug")), ct).ConfigureAwait(false);
        var transient = await StartAsync(batchJob, "sync-inventory", Input(["fail", "2", "upstream returned 503"]), ct).ConfigureAwait(false);
        var fatal = await StartAsync(batchJob, "import-invoices", Input(["fail", "1", "invoice file has no header row"]), ct).ConfigureAwait(false);
        await StartAsync(batchJob, "backfill-ledger", Input(["sleep", "3600"]), ct).ConfigureAwait(false);
        await StartAsync(Machine("callback-job"), "settle-payments", Input(["echo", "settled"]), ct).ConfigureAwait(false);
        var locked = await StartAsync(Machine("callback-job"), "reconcile-ledger", Input(["fail", "1", "ledger locked by another run"]), ct).ConfigureAwait(false);
        await StartAsync(Machine("nightly-batch"), "nightly", Input(["report", "--date", today]), ct).ConfigureAwait(false);

        // The callback job that failed is redriven (it resumes at its failed task, and fails again: the lock is still held) ...
        await WaitUntilStoppedAsync(locked, ct).ConfigureAwait(false);
        await stepFunctions.RedriveExecutionAsync(new RedriveExecutionRequest { ExecutionArn = locked, ClientToken = "seed-" + Guid.NewGuid().ToString("N") }, ct).ConfigureAwait(false);

        // ... and the fatal batch job is re-run with a corrected command, linked to it.
        await WaitUntilStoppedAsync(fatal, ct).ConfigureAwait(false);
        var rerunInput = Input(["report", "--date", today], new EnvironmentVariable("IMPORT_MODE", "lenient")) with { Lineage = new WorkflowLineage(fatal) };
        await StartAsync(batchJob, Name(fatal) + "-rerun-1", rerunInput, ct, exactName: true).ConfigureAwait(false);

        LogSeeded(machines.Count, pulled, ok, transient, oom);
    }

    private static WorkflowInput Input(string[] commands, params EnvironmentVariable[] environment) => new() { Commands = commands, Environment = environment };

    private async Task<string> StartAsync(string stateMachineArn, string name, WorkflowInput input, CancellationToken ct, bool exactName = false)
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

    private Task WaitForEventAsync(string executionArn, string eventType, CancellationToken ct) =>
        PollAsync($"a {eventType} event in {executionArn}", async () =>
        {
            var history = await stepFunctions.GetExecutionHistoryAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = 1000, IncludeExecutionData = false }, ct).ConfigureAwait(false);
            return history.Events.Any(e => e.Type == eventType);
        }, ct);

    private Task WaitUntilStoppedAsync(string executionArn, CancellationToken ct) =>
        PollAsync($"{executionArn} to stop running", async () =>
        {
            var described = await stepFunctions.DescribeExecutionAsync(new DescribeExecutionRequest { ExecutionArn = executionArn }, ct).ConfigureAwait(false);
            return described.Status != ExecutionStatus.RUNNING;
        }, ct);

    private async Task PollAsync(string what, Func<Task<bool>> done, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (!await done().ConfigureAwait(false))
        {
            if (time.GetElapsedTime(started) > WaitLimit)
            {
                throw new TimeoutException($"Waited {WaitLimit} for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Sandbox activity started on {StateMachines} state machines (e.g. {Retried}, {Succeeded}, {Transient}, {OutOfMemory})")]
    private partial void LogSeeded(int stateMachines, string retried, string succeeded, string transient, string outOfMemory);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Starting sandbox activity failed; the dashboard keeps running")]
    private partial void LogSeedFailed(Exception ex);
}
