using System.Reflection;
using System.Runtime.InteropServices;
using BatchOps.Aws;
using BatchOps.Contracts;
using BatchOps.Hosting;
using BatchOps.Worker.Hosting;
using BatchOps.Worker.Jobs;
using BatchOps.Worker.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// BatchOps.Worker <job> [args...]: the container command selects the job; the environment configures it.
// BATCHOPS_ENVIRONMENT carries the workflow contract's environment as one JSON array where a workflow
// cannot pass it as the ECS override itself (callback-job, whose override also carries TASK_TOKEN).
if (ContractEnvironment.Apply(Environment.GetEnvironmentVariable(ContractEnvironment.Variable)) is { } environmentError)
{
    await Console.Error.WriteLineAsync($"error: {environmentError}");
    return WorkerExitCodes.Fatal;
}

var configuration = new ConfigurationBuilder()
    .AddBatchOpsSharedSettings()
    .AddEnvironmentVariables()
    .Build();

var (settings, settingsError) = WorkerSettings.From(configuration);
if (settings is null)
{
    await Console.Error.WriteLineAsync($"error: {settingsError}");
    return WorkerExitCodes.Fatal;
}

var time = TimeProvider.System;
var logContext = new Dictionary<string, string>(StringComparer.Ordinal);
if (args.Length > 0)
{
    logContext["job"] = args[0];
}

// Execution ids reach the container as environment overrides set by the workflow (see the CDK app).
foreach (var (variable, field) in new[] { ("SFN_EXECUTION_ARN", "executionArn"), ("SFN_STATE_NAME", "stateName"), ("ECS_TASK_ARN", "taskArn") })
{
    if (configuration[variable] is { Length: > 0 } value)
    {
        logContext[field] = value;
    }
}

using var stdout = Console.OpenStandardOutput();
var logs = new JsonLineLoggerProvider(stdout, time, logContext, settings.LogLevel);
var services = new ServiceCollection()
    .AddSingleton<IConfiguration>(configuration)
    .AddSingleton(time)
    .AddSingleton(settings)
    .AddLogging(b => b.ClearProviders().AddProvider(logs).SetMinimumLevel(settings.LogLevel)
        .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning))
    .AddBatchOpsAws(configuration)
    .AddSingleton<TaskTokenReporter>()
    .BuildServiceProvider();

await using (services)
{
    var loggers = services.GetRequiredService<ILoggerFactory>();
    var logger = loggers.CreateLogger("BatchOps.Worker");
    using var stopping = new CancellationTokenSource();

    // ECS stops a task with SIGTERM, then SIGKILL after its stop timeout: cancel the job, and if it does
    // not wind down within the grace period, exit 143 anyway so the report is not cut off by SIGKILL.
    void Stop(PosixSignalContext signal)
    {
        signal.Cancel = true;
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        WorkerLog.StopRequested(logger, signal.Signal.ToString(), settings.StopGrace.TotalSeconds);
        stopping.Cancel();
        _ = Task.Delay(settings.StopGrace, time).ContinueWith(
            _ =>
            {
                WorkerLog.GraceExceeded(logger, settings.StopGrace.TotalSeconds);
                logs.Dispose();
                Environment.Exit(WorkerExitCodes.Interrupted);
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

    var runner = new JobRunner(
        new JobRegistry([Assembly.GetExecutingAssembly()]),
        settings,
        services,
        name => configuration[name],
        time,
        Console.Error,
        loggers);
    var exitCode = await runner.RunAsync(args, stopping.Token);
    logs.Dispose();
    return exitCode;
}

internal static partial class WorkerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Signal} received: stopping the job (grace {Seconds} s)")]
    public static partial void StopRequested(ILogger logger, string signal, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The job did not stop within {Seconds} s of SIGTERM; exiting 143")]
    public static partial void GraceExceeded(ILogger logger, double seconds);
}
