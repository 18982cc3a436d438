using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;

namespace BatchOps.Sandbox.StepFunctions;

/// <summary>
/// GetExecutionHistory with includeExecutionData=false: AWS leaves out the execution data, "input or output of a
/// history event" (the model's words), and keeps everything else, <c>inputDetails</c>/<c>outputDetails</c> included.
/// </summary>
public static class HistoryEventData
{
    public static HistoryEvent Without(HistoryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        // Through the wire shape, so every *EventDetails member (there are dozens) is covered by one rule.
        var node = JsonSerializer.SerializeToNode(e, AwsJson.Options)!.AsObject();
        foreach (var (name, details) in node)
        {
            if (name.EndsWith("EventDetails", StringComparison.Ordinal) && details is JsonObject fields)
            {
                fields.Remove("input");
                fields.Remove("output");
            }
        }

        return node.Deserialize<HistoryEvent>(AwsJson.Options)!;
    }
}
