using Xunit.Abstractions;

namespace BatchOps.Sandbox.Tests.Conformance;

/// <summary>
/// Every recorded execution runs in the interpreter. The ones listed in KnownDifferences.txt do not
/// match yet (with the reason); every other one must, and a listed one that starts to pass must be
/// removed from the list, so the file stays the true state of conformance.
/// </summary>
public sealed class RecordedExecutionTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Known = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Conformance", "KnownDifferences.txt"))
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(" | ", 2))
        .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);

    [Fact]
    public async Task Recorded_executions_replay_with_the_same_events_inputs_outputs_errors_and_causes()
    {
        var results = new List<(RecordedExecution Case, string? Problem)>();
        foreach (var recorded in RecordedExecutions.All)
        {
            results.Add((recorded, await ReplayAsync(recorded)));
        }

        foreach (var group in results.GroupBy(r => r.Case.File))
        {
            output.WriteLine($"{group.Key}: {group.Count(r => r.Problem is null)}/{group.Count()} pass");
        }

        output.WriteLine($"TOTAL {results.Count(r => r.Problem is null)}/{results.Count}");
        var unexpected = results.Where(r => r.Problem is not null && !Known.ContainsKey(r.Case.ToString())).Select(r => $"{r.Case}: {r.Problem}").ToList();
        var fixedNow = results.Where(r => r.Problem is null && Known.ContainsKey(r.Case.ToString())).Select(r => r.Case.ToString()).ToList();
        Assert.True(unexpected.Count == 0, "Recorded executions that no longer replay:\n" + string.Join('\n', unexpected));
        Assert.True(fixedNow.Count == 0, "Now passing; remove from KnownDifferences.txt:\n" + string.Join('\n', fixedNow));
    }

    /// <summary>Runs the best-named candidate template first; a case passes when any candidate replays it.</summary>
    private static async Task<string?> ReplayAsync(RecordedExecution recorded)
    {
        string? first = null;
        foreach (var (path, definition) in recorded.Templates.Take(8))
        {
            string? problem;
            try
            {
                problem = await ConformanceRunner.RunAsync(recorded, definition);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }

            if (problem is null)
            {
                return null;
            }

            first ??= $"[{path}] {problem}";
        }

        return first ?? "no template in the recordings declares the states it entered";
    }
}
