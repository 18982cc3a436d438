using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace BatchOps.TestSupport;

/// <summary>A real child process with captured output, for tests that run our executables as users do.</summary>
public sealed partial class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ChildProcess(Process process) => _process = process;

    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    public string StandardError => string.Join('\n', _stderr);

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { child._stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { child._stderr.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for exit (and for the output to drain); kills the process and fails if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The process did not exit within {timeout}. stdout:\n{string.Join('\n', _stdout)}\nstderr:\n{StandardError}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until a line of standard output satisfies <paramref name="predicate"/>.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!_stdout.Any(predicate))
        {
            if (deadline.Elapsed > timeout || _process.HasExited && !_stdout.Any(predicate))
            {
                throw new TimeoutException($"No matching output within {timeout}. stdout:\n{string.Join('\n', _stdout)}\nstderr:\n{StandardError}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Sends SIGTERM, as ECS does when it stops a task.</summary>
    public void Terminate() => Signal(15);

    /// <summary>Sends a signal: 2 (SIGINT, Ctrl+C), 9 (SIGKILL: no chance to clean up), 15 (SIGTERM).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
