using BatchOps.Aws.StepFunctions;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// Whether an execution's last run ended in a Fail state. AWS redrives from the state that failed, so redriving one
/// that ended in a Fail state enters it again and fails the same way: nothing is gained, and the dashboard says so.
/// </summary>
public static class FailStateCheck
{
    /// <summary>The Fail state's name, or null. Reads the last few events only (newest first, names and types without the data).</summary>
    public static async Task<string?> EndedInAsync(IAmazonStepFunctions stepFunctions, string executionArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stepFunctions);
        var newest = await stepFunctions.GetExecutionHistoryAsync(new GetExecutionHistoryRequest { ExecutionArn = executionArn, ReverseOrder = true, MaxResults = 20, IncludeExecutionData = false }, cancellationToken).ConfigureAwait(false);
        foreach (var e in newest.Events)
        {
            switch (e.Type)
            {
                case "FailStateEntered":
                    return e.StateEnteredEventDetails?.Name;
                case "ExecutionRedriven" or "ExecutionStarted" or "TaskFailed" or "TaskTimedOut" or "ExecutionAborted" or "ExecutionTimedOut":
                    return null;
            }
        }

        return null;
    }

    public static string Message(string name, string state) =>
        $"{name} ended in the Fail state \u201c{state}\u201d (the workflow judged the failure final): a redrive would run that state again and fail the same way. Re-run it with changes instead.";
}
