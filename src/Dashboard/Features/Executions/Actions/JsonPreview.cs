using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Dashboard.Features.Executions.Actions;

/// <summary>JSON as an operator reads it: indented, and with &lt;, &gt;, &amp; and non-ASCII as typed rather than \u escapes.</summary>
public static class JsonPreview
{
    // Relaxed escaping is safe here: pages render this as text, never as markup.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The document indented; text that is not JSON comes back as it is.</summary>
    public static string Pretty(string json)
    {
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(Indented) ?? "null";
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
