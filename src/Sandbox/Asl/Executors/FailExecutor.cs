using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Fail: raises its Error and Cause (literal, or by path from the input, context or variables); Retry and Catch never apply.</summary>
internal sealed class FailExecutor : StateExecutor<FailState>
{
    protected override Task<StateOutcome> ExecuteAsync(FailState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var bindings = run.Bind(input);
        string? Field(string? literal, ValueExpression? path)
        {
            if (literal is not null || path is null)
            {
                return literal;
            }

            var value = path.Evaluate(bindings);
            return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString();
        }

        throw new StatesException(Field(state.Error, state.ErrorPath) ?? string.Empty, Field(state.Cause, state.CausePath) ?? string.Empty) { IsFailState = true };
    }
}
