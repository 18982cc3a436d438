using System.Diagnostics;
using System.Globalization;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// The read model a sandbox-mode dashboard keeps for itself (<c>sandbox-&lt;process id&gt;.db</c> under the temp
/// directory; the sandbox's executions live only as long as the process). Deleted when the dashboard stops; the files
/// of dashboards that did not stop cleanly (killed, crashed) are deleted at the next start, so runs do not pile up.
/// </summary>
public sealed partial class SandboxReadModelFile(string path, IHostApplicationLifetime lifetime, ILogger<SandboxReadModelFile> logger) : IHostedService
{
    private const string Prefix = "sandbox-";

    /// <summary>This process's file in <paramref name="directory"/>.</summary>
    public static string For(string directory) => Path.Combine(directory, $"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.db");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        var removed = RemoveOrphans(directory);
        if (removed > 0)
        {
            LogOrphansRemoved(removed, directory);
        }

        // After the host has stopped: the sync and the pages no longer use the file.
        lifetime.ApplicationStopped.Register(() => Delete(path));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes the sandbox read models in <paramref name="directory"/> whose process is gone; returns how many.</summary>
    public static int RemoveOrphans(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(directory, Prefix + "*.db"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var processId) && !IsRunning(processId) && Delete(file))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Deletes the database and its WAL files; false when it could not (still open elsewhere, on Windows).</summary>
    private static bool Delete(string database)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            foreach (var file in new[] { database, database + "-wal", database + "-shm" }.Where(File.Exists))
            {
                File.Delete(file);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} sandbox read models in {Directory} left by dashboards that did not stop cleanly")]
    private partial void LogOrphansRemoved(int count, string directory);
}
