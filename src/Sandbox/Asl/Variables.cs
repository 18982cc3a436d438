using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// Workflow variables (<c>Assign</c>, read as <c>$name</c>). A Parallel branch or Map iteration gets a child scope: it
/// reads the variables of the scopes around it, and what it assigns stays in its own scope, as in Step Functions.
/// </summary>
public sealed class Variables
{
    private readonly Variables? _parent;
    private readonly Dictionary<string, JsonNode?> _values;

    public Variables()
        : this(null, new Dictionary<string, JsonNode?>(StringComparer.Ordinal))
    {
    }

    private Variables(Variables? parent, Dictionary<string, JsonNode?> values) => (_parent, _values) = (parent, values);

    public bool TryGet(string name, out JsonNode? value)
    {
        // A scope is written only by the thread running it, and read by its children only while it waits for them.
        for (var scope = this; scope is not null; scope = scope._parent)
        {
            if (scope._values.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Sets every value at once: all of a state's Assign expressions read the variables as they were before it.</summary>
    public void Assign(IEnumerable<KeyValuePair<string, JsonNode?>> values)
    {
        foreach (var (name, value) in values)
        {
            _values[name] = value;
        }
    }

    public Variables Child() => new(this, new Dictionary<string, JsonNode?>(StringComparer.Ordinal));
}

/// <summary>What a path or payload template reads: the input (<c>$</c>), the context object (<c>$$</c>) and the variables.</summary>
public readonly record struct Bindings(JsonNode? Input, JsonObject Context, Variables Variables, Random Random)
{
    public Bindings WithInput(JsonNode? input) => this with { Input = input };
}
