using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Wait: Seconds or SecondsPath from when the state was entered, or until Timestamp / TimestampPath.</summary>
internal sealed class WaitExecutor(TimeProvider time) : StateExecutor<WaitState>
{
    protected override async Task<StateOutcome> ExecuteAsync(WaitState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var effective = state.InputPath.Apply(input, run.Bind(input));
        var bindings = run.Bind(effective);
        TimeSpan remaining;
        if (state.Seconds is { } seconds)
        {
            remaining = run.EnteredAt + TimeSpan.FromSeconds(seconds.ToDouble()) - time.GetUtcNow();
        }
        else if (state.SecondsPath is { } secondsPath)
        {
            var value = secondsPath.Select(bindings);
            if (value?.GetValueKind() != JsonValueKind.Number || !long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                throw new StatesException(AslErrors.Runtime, $"The SecondsPath parameter cannot be parsed as a long value: {secondsPath.Text} == {value?.ToJsonString() ?? "null"}");
            }

            // Seconds count from when the state was entered, so time spent before the timer is set does not lengthen the wait.
            remaining = whole >= 0
                ? run.EnteredAt + TimeSpan.FromSeconds(whole) - time.GetUtcNow()
                : throw new StatesException(AslErrors.Runtime, $"The SecondsPath parameter references a negative value: {secondsPath.Text} == {whole}");
        }
        else
        {
            var text = state.Timestamp ?? state.TimestampPath!.Select(bindings) switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                var other => throw InvalidTimestamp(state, other?.ToJsonString() ?? "null"),
            };
            if (!ChoiceRules.TryTimestamp(text, out var until))
            {
                throw InvalidTimestamp(state, text);
            }

            remaining = until - time.GetUtcNow();
        }

        // Step Functions keeps the delay in whole seconds as a 32-bit number: 24 855 days is accepted, 24 856 is refused.
        if (remaining.TotalSeconds > int.MaxValue)
        {
            throw new StatesException(AslErrors.Runtime, "Wait state delay is too long.");
        }

        // Timers take at most about 49 days at once: a longer wait is a sequence of them.
        var due = time.GetUtcNow() + remaining;
        for (var left = remaining; left > TimeSpan.Zero; left = due - time.GetUtcNow())
        {
            await Task.Delay(left < LongestTimer ? left : LongestTimer, time, cancellationToken).ConfigureAwait(false);
        }

        return new StateOutcome(state.OutputPath.Apply(effective, bindings), null, effective);
    }

    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(40);

    private static StatesException InvalidTimestamp(WaitState state, string value) => new(
        AslErrors.Runtime,
        state.Timestamp is not null
            ? $"The Timestamp parameter does not reference a valid ISO-8601 extended offset date-time format string: {value}"
            : $"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {state.TimestampPath!.Text} == {value}");
}
