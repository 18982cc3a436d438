using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace BatchOps.Sandbox.Ecs;

/// <summary>A container stand-in: a local process with its output kept, stoppable with SIGTERM then SIGKILL.</summary>
public sealed partial class LocalProcess : IDisposable
{
    private const int MaxLogLines = 2000;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _logs = new();

    private LocalProcess(Process process) => _process = process;

    public IReadOnlyList<string> Logs => [.. _logs];

    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    public static LocalProcess Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var local = new LocalProcess(process);
        process.OutputDataReceived += (_, e) => local.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => local.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        local.Exited = WaitAsync(process);
        return local;
    }

    private static async Task<int> WaitAsync(Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _logs.Enqueue(line);
        while (_logs.Count > MaxLogLines && _logs.TryDequeue(out _))
        {
        }
    }

    /// <summary>SIGTERM, then SIGKILL when the process has not exited after <paramref name="stopTimeout"/>.</summary>
    public async Task StopAsync(TimeSpan stopTimeout, TimeProvider time)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, 15);
        var exited = await Task.WhenAny(Exited, Task.Delay(stopTimeout, time)).ConfigureAwait(false);
        if (exited != Exited && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose() => _process.Dispose();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
