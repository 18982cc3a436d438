using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Succeed: ends the execution (or branch) with its input, through InputPath and OutputPath.</summary>
internal sealed class SucceedExecutor : StateExecutor<SucceedState>
{
    protected override Task<StateOutcome> ExecuteAsync(SucceedState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var effective = state.InputPath.Apply(input, run.Bind(input));
        return Task.FromResult(new StateOutcome(state.OutputPath.Apply(effective, run.Bind(effective)), null, null));
    }
}
