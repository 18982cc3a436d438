using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;

namespace BatchOps.Worker.Jobs;

/// <summary>The jobs this worker can run, found by their <see cref="BatchJobAttribute"/>.</summary>
public sealed class JobRegistry
{
    private readonly SortedDictionary<string, (Type Type, BatchJobAttribute Info)> _jobs = new(StringComparer.Ordinal);

    public JobRegistry(IEnumerable<Assembly> assemblies)
    {
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetCustomAttribute<BatchJobAttribute>() is { } info && typeof(IBatchJob).IsAssignableFrom(type) && !type.IsAbstract)
            {
                if (!_jobs.TryAdd(info.Name, (type, info)))
                {
                    throw new InvalidOperationException($"Two jobs are named '{info.Name}': {_jobs[info.Name].Type} and {type}.");
                }
            }
        }
    }

    public IEnumerable<string> Names => _jobs.Keys;

    public bool TryGet(string name, [NotNullWhen(true)] out Type? jobType)
    {
        jobType = _jobs.TryGetValue(name, out var job) ? job.Type : null;
        return jobType is not null;
    }

    public string Usage(string? job = null)
    {
        var text = new StringBuilder("usage: BatchOps.Worker <job> [args...]\n\njobs:\n");
        foreach (var (name, (_, info)) in _jobs.Where(j => job is null || j.Key == job))
        {
            text.Append("  ").Append(name).Append(' ').Append(info.Arguments).Append("\n      ").Append(info.Summary).Append('\n');
        }

        text.Append("\nexit codes: 0 success, 1 failure (not retryable), 2 failure (retryable), 143 stopped by SIGTERM\n");
        return text.ToString();
    }
}
