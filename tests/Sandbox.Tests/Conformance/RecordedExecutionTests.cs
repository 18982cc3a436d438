using Xunit.Abstractions;

namespace BatchOps.Sandbox.Tests.Conformance;

public sealed class RecordedExecutionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Report()
    {
        var results = new List<(RecordedExecution Case, string? Problem)>();
        foreach (var recorded in RecordedExecutions.All)
        {
            string? problem = "no template declares the states it entered";
            string? firstProblem = null;
            foreach (var (path, definition) in recorded.Templates)
            {
                try
                {
                    problem = await ConformanceRunner.RunAsync(recorded, definition);
                }
                catch (Exception e)
                {
                    problem = $"{path}: {e.GetType().Name}: {e.Message}";
                }

                if (problem is null)
                {
                    break;
                }

                problem = $"[{path}] {problem}";
                firstProblem ??= problem;
            }

            results.Add((recorded, problem is null ? null : firstProblem ?? problem));
        }

        foreach (var group in results.GroupBy(r => r.Case.File))
        {
            output.WriteLine($"{group.Key}: {group.Count(r => r.Problem is null)}/{group.Count()}");
            foreach (var (c, p) in group.Where(r => r.Problem is not null))
            {
                output.WriteLine($"   FAIL {c.Test}: {p}");
            }
        }

        output.WriteLine($"TOTAL {results.Count(r => r.Problem is null)}/{results.Count}");
    }
}
