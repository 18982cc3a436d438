using System.Globalization;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

internal static class JsonNumbers
{
    /// <summary>
    /// A number however the node holds it: parsed JSON holds a JsonElement, but an intrinsic's result holds the CLR
    /// value it was created from (long for States.MathAdd), which GetValue&lt;double&gt; refuses to convert.
    /// </summary>
    public static double ToDouble(this JsonNode value) =>
        value is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : value is JsonValue l && l.TryGetValue<long>(out var n) ? n
        : value is JsonValue i && i.TryGetValue<int>(out var m) ? m
        : double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
}
