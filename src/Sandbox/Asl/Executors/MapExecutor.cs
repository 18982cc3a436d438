using System.Globalization;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// Inline Map (ItemProcessor or the older Iterator): one iteration per item, at most MaxConcurrency at once, each on its own
/// thread of events and variable scope, failing the state once the failures pass the tolerated count or percentage.
/// </summary>
internal sealed class MapExecutor(Interpreter interpreter, TimeProvider time) : StateExecutor<MapState>
{
    protected override async Task<StateOutcome> ExecuteAsync(MapState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        if (state.ReadsItemsFromS3)
        {
            throw new StatesException(AslErrors.Runtime, "The sandbox does not run Distributed Map states that read their items from S3 (ItemReader): it serves no S3.");
        }

        var history = run.History;
        var effective = state.InputPath.Apply(input, run.Bind(input));
        var bindings = run.Bind(effective);
        var items = state.ItemsPath.Apply(effective, bindings) as JsonArray
            ?? throw new StatesException(AslErrors.Runtime, "Map state input must be an array (ItemsPath).");
        var maxConcurrency = (int)(Number(state.MaxConcurrency, bindings) ?? 0) is > 0 and var m ? m : int.MaxValue;
        var toleratedCount = (int)(Number(state.ToleratedFailureCount, bindings) ?? 0);
        var toleratedPercentage = Number(state.ToleratedFailurePercentage, bindings) ?? 0;
        bool Exceeded(int failures) => failures > toleratedCount && !(toleratedPercentage > 0 && failures * 100.0 / items.Count <= toleratedPercentage);

        var startedId = history.Add(run.Cursor, HistoryEventType.MapStateStarted, e => e with { MapStateStartedEventDetails = new() { Length = items.Count } });
        if (state.Distributed)
        {
            return await RunDistributedAsync(state, input, effective, items, run, Exceeded, maxConcurrency, cancellationToken).ConfigureAwait(false);
        }

        // Iterations start after the last event of the iteration that ended before them; the state's own end events
        // follow the last MapIterationSucceeded (as recorded by Step Functions).
        var mapCursor = new Cursor(startedId);
        var lastIterationEvent = startedId;
        var gate = new Lock();
        using var slots = new SemaphoreSlim(Math.Min(maxConcurrency, Math.Max(1, items.Count)));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var results = new JsonNode?[items.Count];
        var succeeded = new ConcurrentDictionary<int, JsonNode?>();
        var memory = run.Scope.Memory;
        var earlier = memory.TakeForRedrive(state.Name);
        var threads = new ConcurrentBag<Cursor>();
        var failures = new List<(StatesException Failure, long At)>();
        var iterations = items.Select(async (item, index) =>
        {
            if (earlier.TryGetValue(index, out var done))
            {
                // Succeeded before the redrive: kept, not rerun.
                results[index] = done?.DeepClone();
                succeeded[index] = done;
                return;
            }

            await slots.WaitAsync(abort.Token).ConfigureAwait(false);
            try
            {
                var iterationInput = state.ItemSelector is { } selector ? selector.Evaluate(run.BindItem(effective, index, item)) : item?.DeepClone();
                Cursor thread;
                lock (gate)
                {
                    var iterationStarted = history.Add(new Cursor(mapCursor.Last), HistoryEventType.MapIterationStarted, e => e with { MapIterationStartedEventDetails = new() { Name = state.Name, Index = index } });
                    thread = run.Cursor.StartThread(iterationStarted, (state.Name, index));
                    threads.Add(thread);
                }

                try
                {
                    results[index] = await interpreter.RunBranchAsync(state.Processor, iterationInput, run.Scope, thread, run.Variables.Child(), abort.Token).ConfigureAwait(false);
                    succeeded[index] = results[index]?.DeepClone();
                    lock (gate)
                    {
                        lastIterationEvent = history.Add(new Cursor(thread.Last), HistoryEventType.MapIterationSucceeded, e => e with { MapIterationSucceededEventDetails = new() { Name = state.Name, Index = index } });
                        mapCursor.Last = thread.Last;
                    }
                }
                catch (StatesException failure)
                {
                    thread.Finished = true;
                    lock (gate)
                    {
                        history.Add(new Cursor(thread.Last), HistoryEventType.MapIterationFailed, e => e with { MapIterationFailedEventDetails = new() { Name = state.Name, Index = index } });
                        mapCursor.Last = thread.Last;
                        failures.Add((failure, thread.Last));
                        if (Exceeded(failures.Count))
                        {
                            abort.Cancel();
                        }
                    }

                    results[index] = new JsonObject { ["Error"] = failure.Error, ["Cause"] = failure.Cause };
                }
            }
            finally
            {
                slots.Release();
            }
        }).ToList();

        try
        {
            await Task.WhenAll(iterations).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A failure beyond the tolerance cancelled the other iterations; reported below.
        }

        if (failures.Count > 0 && Exceeded(failures.Count))
        {
            var cause = failures[^1].At;
            memory.RememberFailure(state.Name, succeeded);
            Cursor.RecordAborted(history, threads, cause);
            run.Cursor.Last = history.Add(new Cursor(cause), HistoryEventType.MapStateFailed, e => e);
            throw toleratedCount > 0 || toleratedPercentage > 0
                ? new StatesException(AslErrors.ExceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
                : new StatesException(failures[0].Failure.RawError, failures[0].Failure.RawCause);
        }

        memory.Forget(state.Name);
        run.Cursor.Last = history.Add(new Cursor(lastIterationEvent), HistoryEventType.MapStateSucceeded, e => e);
        var result = new JsonArray([.. results]);
        var selected = state.ResultSelector is { } resultSelector ? resultSelector.Evaluate(run.Bind(result)) : result;
        return new StateOutcome(state.OutputPath.Apply(state.ResultPath.Apply(input, selected), run.Bind(input)), null, selected) { ExitPrevious = lastIterationEvent };
    }

    /// <summary>
    /// A Distributed Map: the parent's history shows only MapRunStarted and MapRunSucceeded/Failed; each item runs as a child
    /// execution with its own history and no access to the parent's variables, as in Step Functions.
    /// </summary>
    private async Task<StateOutcome> RunDistributedAsync(MapState state, JsonNode? input, JsonNode? effective, JsonArray items, StateRun run, Func<int, bool> exceeded, int maxConcurrency, CancellationToken cancellationToken)
    {
        var history = run.History;
        var execution = run.Scope.Execution;
        var mapRunArn = $"arn:aws:states:{execution.Region}:{execution.Account}:mapRun:{execution.StateMachineName}/{state.Label ?? state.Name}:{Guid.NewGuid()}";
        var runStarted = history.Add(run.Cursor, HistoryEventType.MapRunStarted, e => e with { MapRunStartedEventDetails = new() { MapRunArn = mapRunArn } });
        using var slots = new SemaphoreSlim(Math.Min(maxConcurrency, Math.Max(1, items.Count)));
        var failures = 0;
        var results = await Task.WhenAll(items.Select(async (item, index) =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var child = run.Scope with { History = new History(time), Memory = new RedriveMemory() };
                var iterationInput = state.ItemSelector is { } selector ? selector.Evaluate(run.BindItem(effective, index, item)) : item?.DeepClone();
                return await interpreter.RunBranchAsync(state.Processor, iterationInput, child, new Cursor(0), new Variables(), cancellationToken).ConfigureAwait(false);
            }
            catch (StatesException failure)
            {
                Interlocked.Increment(ref failures);
                return new JsonObject { ["Error"] = failure.Error, ["Cause"] = failure.Cause };
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);

        if (failures > 0 && exceeded(failures))
        {
            const string cause = "The specified tolerated failure threshold was exceeded";
            history.Add(run.Cursor, HistoryEventType.MapRunFailed, e => e with { MapRunFailedEventDetails = new() { Error = AslErrors.ExceedToleratedFailureThreshold, Cause = cause } });
            history.Add(run.Cursor, HistoryEventType.MapStateFailed, e => e);
            throw new StatesException(AslErrors.ExceedToleratedFailureThreshold, cause);
        }

        history.Add(run.Cursor, HistoryEventType.MapRunSucceeded, e => e);
        history.Add(run.Cursor, HistoryEventType.MapStateSucceeded, e => e);
        var result = new JsonArray([.. results]);
        var selected = state.ResultSelector is { } resultSelector ? resultSelector.Evaluate(run.Bind(result)) : result;
        return new StateOutcome(state.OutputPath.Apply(state.ResultPath.Apply(input, selected), run.Bind(input)), null, selected) { ExitPrevious = runStarted };
    }

    /// <summary>MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage: literal or by path.</summary>
    private static double? Number(NumberField? field, in Bindings bindings)
    {
        if (field is null)
        {
            return null;
        }

        var value = field.Value(bindings);
        // A path may name a number held as a string ("1"); Step Functions reads it as the number.
        if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && double.TryParse(text.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        return value?.GetValueKind() == JsonValueKind.Number
            ? value.ToDouble()
            : throw new StatesException(AslErrors.Runtime, $"The {field.Field}{(field.Path is null ? string.Empty : "Path")} field must be a number: {value?.ToJsonString() ?? "null"}");
    }
}
