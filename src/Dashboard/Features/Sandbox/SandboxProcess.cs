using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// The sandbox as a child process: started when the host starts (before the sync jobs), healthy before the host
/// continues, and stopped with the dashboard. It runs with --stop-with-parent and reads our end of a pipe on its
/// standard input: a normal stop closes the pipe, and so does the kernel when this process dies in any way, so no
/// sandbox (and so no worker process it started) outlives the dashboard. Everything else goes over HTTP.
/// </summary>
public sealed partial class SandboxProcess : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private readonly SandboxModeOptions _options;
    private readonly ILogger _logger;
    private readonly ILogger _output;
    private Process? _process;
    private readonly Lock _stopGate = new();
    private Task? _stopping;

    public SandboxProcess(IOptions<SandboxModeOptions> options, SandboxEndpoint endpoint, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        // The sandbox (and its workers) start stopping as soon as the dashboard does, alongside the rest of the
        // shutdown rather than after it: as the first hosted service it would otherwise be stopped last, once the
        // sync jobs and everything else had used up their own stop time.
        lifetime.ApplicationStopping.Register(() => _ = StopOnceAsync());
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options.Value;
        Endpoint = endpoint.Uri;
        _logger = loggers.CreateLogger<SandboxProcess>();
        _output = loggers.CreateLogger("BatchOps.Sandbox");
    }

    public Uri Endpoint { get; }

    /// <summary>The child's process id once started (tests check that it ends with the dashboard).</summary>
    public int? ProcessId => _process?.Id;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var executable = _options.Executable ?? throw new InvalidOperationException(SandboxEndpoint.NotBuiltMessage);
        var info = new ProcessStartInfo(executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? "dotnet" : executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (info.FileName == "dotnet")
        {
            info.ArgumentList.Add(executable);
        }

        foreach (var argument in Arguments())
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var lastLines = new Queue<string>();
        var level = LogLevel.Information;
        process.OutputDataReceived += (_, e) => Forward(e.Data, ref level, lastLines);
        process.ErrorDataReceived += (_, e) =>
        {
            var errorLevel = LogLevel.Warning;
            Forward(e.Data, ref errorLevel, lastLines);
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"The sandbox could not be started ({executable}).");
        }

        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LogStarting(_logger, process.Id, Endpoint);
        await WaitHealthyAsync(process, lastLines, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => StopOnceAsync();

    public async ValueTask DisposeAsync() => await StopOnceAsync().ConfigureAwait(false);

    /// <summary>The one stop, however many callers ask for it (application stopping, StopAsync, Dispose).</summary>
    private Task StopOnceAsync()
    {
        lock (_stopGate)
        {
            return _stopping ??= StopCoreAsync();
        }
    }

    private IEnumerable<string> Arguments()
    {
        yield return "--urls";
        yield return Endpoint.ToString().TrimEnd('/');
        yield return "--stop-with-parent";
        if (_options.Template is { } template)
        {
            yield return "--template";
            yield return Path.GetFullPath(template);
        }

        yield return "--Sandbox:TimeScale=" + _options.TimeScale.ToString(CultureInfo.InvariantCulture);
        yield return "--Sandbox:EnforceIam=" + (_options.EnforceIam ? "true" : "false");
        // The dashboard announces the sandbox itself; its host's start-up lines would only repeat that.
        yield return "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning";
    }

    private async Task WaitHealthyAsync(Process process, Queue<string> lastLines, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri(Endpoint, "_sandbox/health");
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The sandbox exited with code {process.ExitCode} before it was ready. Its last output:\n{Tail(lastLines)}");
            }

            try
            {
                using var response = await http.GetAsync(health, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    LogReady(_logger, Endpoint, started.ElapsedMilliseconds);
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (started.Elapsed > _options.StartTimeout)
            {
                throw new TimeoutException($"The sandbox did not answer {health} within {_options.StartTimeout} (Sandbox:StartTimeout). Its last output:\n{Tail(lastLines)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the pipe (the sandbox stops its tasks and exits), then kills it if it does not exit in time.</summary>
    private async Task StopCoreAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                using var grace = new CancellationTokenSource(StopGrace);
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    LogKilled(_logger, process.Id, StopGrace);
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>The sandbox's console log lines, at their own level ("warn:", "fail:" start an entry; indented lines continue it).</summary>
    private void Forward(string? line, ref LogLevel level, Queue<string> lastLines)
    {
        if (line is null)
        {
            return;
        }

        lock (lastLines)
        {
            lastLines.Enqueue(line);
            if (lastLines.Count > 40)
            {
                lastLines.Dequeue();
            }
        }

        level = line.Length >= 5 && line[4] == ':' ? line[..4] switch
        {
            "trce" => LogLevel.Trace,
            "dbug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "fail" => LogLevel.Error,
            "crit" => LogLevel.Critical,
            _ => level,
        } : level;
        LogOutput(_output, level, line);
    }

    private static string Tail(Queue<string> lines)
    {
        lock (lines)
        {
            return string.Join('\n', lines);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting the sandbox (process {ProcessId}) on {Endpoint}")]
    private static partial void LogStarting(ILogger logger, int processId, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox ready on {Endpoint} after {Milliseconds} ms")]
    private static partial void LogReady(ILogger logger, Uri endpoint, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sandbox (process {ProcessId}) did not stop within {Grace}; killed it and its task processes")]
    private static partial void LogKilled(ILogger logger, int processId, TimeSpan grace);

    [LoggerMessage(Message = "{Line}")]
    private static partial void LogOutput(ILogger logger, LogLevel level, string line);
}

/// <summary>Where the sandbox will listen, fixed when services are registered (the AWS clients' endpoint).</summary>
public sealed record SandboxEndpoint(Uri Uri)
{
    public const string NotBuiltMessage =
        "Sandbox mode needs the sandbox built with the dashboard (`dotnet run --project src/Dashboard` builds it) or Sandbox:Executable. "
        + "A published dashboard image has no sandbox: run it with BatchOps:Mode=Aws.";

    /// <summary>Port 0 becomes a free loopback port now, so the address is known before the process starts.</summary>
    public static SandboxEndpoint From(SandboxModeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = new Uri(options.Url);
        if (!url.IsLoopback)
        {
            throw new InvalidOperationException($"Sandbox:Url must be a loopback address (the sandbox runs local processes); got {options.Url}.");
        }

        if (options.Attach && url.Port == 0)
        {
            throw new InvalidOperationException("Sandbox:Attach needs the running sandbox's address in Sandbox:Url, port included (e.g. http://127.0.0.1:4599).");
        }

        return new SandboxEndpoint(url.Port == 0 ? new UriBuilder(url) { Port = FreePort() }.Uri : url);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
