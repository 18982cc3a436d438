using System.Globalization;

namespace BatchOps.TestSupport;

/// <summary>A live process as Linux's /proc shows it.</summary>
public sealed record LiveProcess(int Id, int ParentId, string CommandLine);

/// <summary>Which processes descend from which (Linux /proc), to check that nothing outlives what started it.</summary>
public static partial class ProcessTree
{
    public static IReadOnlyList<LiveProcess> All()
    {
        var all = new List<LiveProcess>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                if (fields[0] != "Z")
                {
                    all.Add(new LiveProcess(id, int.Parse(fields[1], CultureInfo.InvariantCulture), commandLine));
                }
            }
            catch (IOException)
            {
                // It exited while we looked.
            }
        }

        return all;
    }

    /// <summary>Every live process started, directly or not, by <paramref name="id"/>.</summary>
    public static IReadOnlyList<LiveProcess> Descendants(int id)
    {
        var all = All();
        var found = new List<LiveProcess>();
        var parents = new HashSet<int> { id };
        bool added;
        do
        {
            var next = all.Where(p => parents.Contains(p.ParentId) && !parents.Contains(p.Id)).ToList();
            found.AddRange(next);
            parents.UnionWith(next.Select(p => p.Id));
            added = next.Count > 0;
        }
        while (added);

        return found;
    }

    public static bool IsAlive(int id) => All().Any(p => p.Id == id);

    /// <summary>Sends <paramref name="signal"/> to a process (9 kills it outright, as the kernel's OOM killer would).</summary>
    public static void Kill(int id, int signal)
    {
        if (SendSignal(id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({id}, {signal}) failed with errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
