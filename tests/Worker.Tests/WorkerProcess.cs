using System.Text.Json;
using BatchOps.TestSupport;

namespace BatchOps.Worker.Tests;

/// <summary>Runs the built worker as a process, the way ECS (and the sandbox) does.</summary>
public static class WorkerProcess
{
    public const string AccessKeyId = "AKIDWORKERTEST";
    public const string SecretAccessKey = "worker-test-secret";

    public static ChildProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, Uri? stepFunctions = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_ENDPOINT_URL"] = null,
            ["AWS_ENDPOINT_URL_SFN"] = stepFunctions?.ToString() ?? "http://127.0.0.1:9",
            ["Aws__BaseDelay"] = "00:00:00.050",
            ["Aws__DisableRateLimiting"] = "true",
            ["TASK_TOKEN"] = null,
            ["HEARTBEAT_SECONDS"] = null,
            ["LOG_LEVEL"] = null,
            ["BATCHOPS_ENVIRONMENT"] = null,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            env[name] = value;
        }

        return ChildProcess.Start("dotnet", [BuiltApps.Dll("Worker", "BatchOps.Worker"), .. arguments], env);
    }

    public static async Task<(int ExitCode, ChildProcess Process)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, Uri? stepFunctions = null)
    {
        var process = Start(arguments, environment, stepFunctions);
        var exitCode = await process.WaitAsync(TimeSpan.FromSeconds(30));
        return (exitCode, process);
    }

    /// <summary>
    /// Starts `sleep 60`, waits until it sleeps, sends SIGTERM and waits for the exit. A job that ignored SIGTERM would
    /// still be sleeping long after the 10 s allowed, and the wait fails saying so.
    /// </summary>
    public static async Task<(int ExitCode, ChildProcess Process)> TerminateWhileSleepingAsync(IReadOnlyDictionary<string, string?>? environment = null, Uri? stepFunctions = null)
    {
        var process = Start(["sleep", "60"], environment, stepFunctions);
        await process.WaitForOutputAsync(line => line.Contains("Sleeping", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        process.Terminate();
        return (await process.WaitAsync(TimeSpan.FromSeconds(10)), process);
    }

    /// <summary>Every stdout line parsed as JSON (the test fails if one is not).</summary>
    public static IReadOnlyList<JsonElement> Logs(this ChildProcess process) =>
        [.. process.StandardOutput.Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public static JsonElement Output(this ChildProcess process)
    {
        var line = process.Logs().Single(l => l.TryGetProperty("output", out _));
        return JsonDocument.Parse(line.GetProperty("output").GetString()!).RootElement.Clone();
    }
}
