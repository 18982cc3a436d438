using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// Parallel: every branch on its own thread of events and variable scope. The first failure cancels the others; what is
/// still open in them is recorded as aborted, then ParallelStateFailed, all after the failing branch's last event.
/// </summary>
internal sealed class ParallelExecutor(Interpreter interpreter) : StateExecutor<ParallelState>
{
    protected override async Task<StateOutcome> ExecuteAsync(ParallelState state, JsonNode? input, StateRun run, CancellationToken cancellationToken)
    {
        var history = run.History;
        var effective = state.InputPath.Apply(input, run.Bind(input));
        var branchInput = state.Parameters is { } template ? template.Evaluate(run.Bind(effective)) : effective;
        var startedId = history.Add(run.Cursor, HistoryEventType.ParallelStateStarted, e => e);
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var memory = run.Scope.Memory;
        var earlier = memory.TakeForRedrive(state.Name);
        var threads = new Cursor[state.Branches.Count];
        var gate = new Lock();
        (StatesException Failure, long At)? first = null;
        var branches = state.Branches.Select(async (branch, i) =>
        {
            if (earlier.TryGetValue(i, out var done))
            {
                // Succeeded before the redrive: kept, not rerun.
                return done?.DeepClone();
            }

            var thread = threads[i] = run.Cursor.StartThread(startedId);
            try
            {
                return await interpreter.RunBranchAsync(branch, branchInput?.DeepClone(), run.Scope, thread, run.Variables.Child(), siblings.Token).ConfigureAwait(false);
            }
            catch (StatesException failure)
            {
                lock (gate)
                {
                    first ??= (failure, thread.Last);
                }

                thread.Finished = true;
                await siblings.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(branches).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && first is { } failed)
        {
            memory.RememberFailure(state.Name, branches.Select((b, i) => (b, i)).Where(x => x.b.IsCompletedSuccessfully).ToDictionary(x => x.i, x => x.b.Result));
            Cursor.RecordAborted(history, threads.Where(t => t is not null), failed.At);
            var failedId = history.Add(new Cursor(failed.At), HistoryEventType.ParallelStateFailed, e => e);
            run.Cursor.Last = failedId;
            throw new StatesException(failed.Failure.RawError, failed.Failure.RawCause);
        }

        memory.Forget(state.Name);
        // Succeeded and Exited both follow the last event of the branch that finished last.
        var last = threads.Max(t => t?.Last ?? startedId);
        var result = new JsonArray([.. branches.Select(b => b.Result)]);
        run.Cursor.Last = history.Add(new Cursor(last), HistoryEventType.ParallelStateSucceeded, e => e);
        var selected = state.ResultSelector is { } selector ? selector.Evaluate(run.Bind(result)) : result;
        return new StateOutcome(state.OutputPath.Apply(state.ResultPath.Apply(input, selected), run.Bind(input)), null, selected) { ExitPrevious = last };
    }
}
