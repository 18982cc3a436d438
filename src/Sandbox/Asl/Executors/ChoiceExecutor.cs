using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Choice: the first rule that matches decides where to go (and its Assign applies); otherwise Default with the state's Assign.</summary>
internal sealed class ChoiceExecutor : StateExecutor<ChoiceState>
{
    protected override Task<StateOutcome> ExecuteAsync(ChoiceState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var effective = state.InputPath.Apply(input, run.Bind(input));
        var output = state.OutputPath.Apply(effective, run.Bind(effective));
        var bindings = run.Bind(effective);
        foreach (var rule in state.Choices)
        {
            if (rule.Condition.Matches(bindings))
            {
                return Task.FromResult(new StateOutcome(output, rule.Next, effective) { Assign = rule.Assign });
            }
        }

        return state.Default is { } fallback
            ? Task.FromResult(new StateOutcome(output, fallback, effective))
            : throw new StatesException(AslErrors.NoChoiceMatched, $"No Matches! (state '{state.Name}')");
    }
}
