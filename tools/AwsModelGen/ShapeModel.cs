using System.Text.Json.Nodes;

namespace BatchOps.AwsModelGen;

/// <summary>A loaded botocore-style model: shapes plus the operations we generate for.</summary>
internal sealed class ShapeModel(JsonObject shapes)
{
    public JsonObject Shapes { get; } = shapes;

    public JsonObject Shape(string name) =>
        Shapes[name] as JsonObject ?? throw new InvalidOperationException($"Shape '{name}' is not in the model.");

    public string TypeOf(string name) => (string)Shape(name)["type"]!;

    public bool IsException(string name) => Shape(name)["exception"]?.GetValue<bool>() == true;

    /// <summary>All shapes reachable from <paramref name="roots"/>, in a stable order.</summary>
    public List<string> Closure(IEnumerable<string> roots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        var stack = new Stack<string>(roots.Reverse());
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!seen.Add(name))
            {
                continue;
            }

            order.Add(name);
            var shape = Shape(name);
            switch ((string)shape["type"]!)
            {
                case "structure":
                    foreach (var (_, member) in (JsonObject)shape["members"]!)
                    {
                        stack.Push((string)member!["shape"]!);
                    }

                    break;
                case "list":
                    stack.Push((string)shape["member"]!["shape"]!);
                    break;
                case "map":
                    stack.Push((string)shape["key"]!["shape"]!);
                    stack.Push((string)shape["value"]!["shape"]!);
                    break;
            }
        }

        return order;
    }
}
