using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// What the last attempt of an execution's Parallel and inline Map states achieved: the outputs of the
/// branches and iterations that succeeded. A redrive reruns only the others, as Step Functions does.
/// </summary>
public sealed class RedriveMemory
{
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<int, JsonNode?>> _succeeded = new(StringComparer.Ordinal);

    /// <summary>The execution's top-level variables: a redrive resumes with them as they were when the failed state was entered.</summary>
    public Variables Variables { get; } = new();

    /// <summary>Set when the execution is being redriven: the first entry of each remembered state reuses its successes.</summary>
    public bool Redriving { get; set; }

    public void RememberFailure(string state, IReadOnlyDictionary<int, JsonNode?> succeeded) => _succeeded[state] = succeeded;

    /// <summary>The successes to reuse for <paramref name="state"/> during a redrive (once), or none.</summary>
    public IReadOnlyDictionary<int, JsonNode?> TakeForRedrive(string state) =>
        Redriving && _succeeded.TryRemove(state, out var earlier) ? earlier : new Dictionary<int, JsonNode?>();

    public void Forget(string state) => _succeeded.TryRemove(state, out _);
}
