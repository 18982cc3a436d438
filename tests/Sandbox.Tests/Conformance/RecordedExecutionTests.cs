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
    public void Every_recording_is_paired_with_exactly_one_template_and_every_pairing_with_a_recording()
    {
        var recorded = RecordedExecutions.All.Select(r => r.ToString()).ToList();

        Assert.Equal(recorded.Count, recorded.Distinct(StringComparer.Ordinal).Count());
        var unpaired = recorded.Where(r => !RecordedExecutions.Pairings.ContainsKey(r)).ToList();
        var stale = RecordedExecutions.Pairings.Keys.Where(k => !recorded.Contains(k)).ToList();
        Assert.True(unpaired.Count == 0, "Recordings with no line in RecordedTemplates.txt:\n" + string.Join('\n', unpaired));
        Assert.True(stale.Count == 0, "RecordedTemplates.txt names recordings that do not exist:\n" + string.Join('\n', stale));
        Assert.All(RecordedExecutions.All.Where(r => r.TemplatePath is null), r => Assert.False(string.IsNullOrWhiteSpace(r.NoTemplate), $"{r} has neither a template nor a reason"));
    }

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
        foreach (var (recorded, problem) in results.Where(r => r.Problem is not null))
        {
            output.WriteLine($"KNOWN {recorded}: {problem}");
        }

        var unexpected = results.Where(r => r.Problem is not null && !Known.ContainsKey(r.Case.ToString())).Select(r => $"{r.Case}: {r.Problem}").ToList();
        var fixedNow = results.Where(r => r.Problem is null && Known.ContainsKey(r.Case.ToString())).Select(r => r.Case.ToString()).ToList();
        var stale = Known.Keys.Where(k => results.All(r => r.Case.ToString() != k)).ToList();
        Assert.True(unexpected.Count == 0, "Recorded executions that no longer replay:\n" + string.Join('\n', unexpected));
        Assert.True(fixedNow.Count == 0, "Now passing; remove from KnownDifferences.txt:\n" + string.Join('\n', fixedNow));
        Assert.True(stale.Count == 0, "KnownDifferences.txt names recordings that do not exist:\n" + string.Join('\n', stale));
    }

    /// <summary>Runs the recording's own template; a recording without one cannot be replayed, and says why.</summary>
    private static async Task<string?> ReplayAsync(RecordedExecution recorded)
    {
        if (recorded.Template is not { } template)
        {
            return "no template: " + recorded.NoTemplate;
        }

        try
        {
            return await ConformanceRunner.RunAsync(recorded, template) is { } problem ? $"[{recorded.TemplatePath}] {problem}" : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"[{recorded.TemplatePath}] {e.GetType().Name}: {e.Message}";
        }
    }
}
