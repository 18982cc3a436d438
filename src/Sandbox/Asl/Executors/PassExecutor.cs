using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Pass: Result, or Parameters over the input, placed by ResultPath. Assign reads the result.</summary>
internal sealed class PassExecutor : StateExecutor<PassState>
{
    protected override Task<StateOutcome> ExecuteAsync(PassState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var effective = state.InputPath.Apply(input, run.Bind(input));
        var result = state.HasResult
            ? state.Result?.DeepClone()
            : state.Parameters is { } parameters ? parameters.Evaluate(run.Bind(effective)) : effective;
        var output = state.OutputPath.Apply(state.ResultPath.Apply(input, result), run.Bind(input));
        return Task.FromResult(new StateOutcome(output, null, result));
    }
}
