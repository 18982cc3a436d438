using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>
/// The JSONPath subset Step Functions accepts in paths: <c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[n]</c>,
/// <c>[*]</c>, <c>.*</c>, slices <c>[a:b]</c>. Paths with a wildcard or slice yield an array of matches.
/// </summary>
public sealed class JsonPath
{
    private readonly Segment[] _segments;

    private JsonPath(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
        IsDefinite = segments.All(s => s.Kind is SegmentKind.Name or SegmentKind.Index);
    }

    public string Text { get; }

    /// <summary>A path without wildcards or slices names at most one node.</summary>
    public bool IsDefinite { get; }

    public bool IsRoot => _segments.Length == 0;

    public IReadOnlyList<string> Names => [.. _segments.Select(s => s.Name ?? string.Empty)];

    public static bool IsPath(string text) => text.StartsWith('$');

    public static JsonPath Parse(string text)
    {
        if (!text.StartsWith('$'))
        {
            throw new FormatException($"The path '{text}' does not start with '$'.");
        }

        var start = text.StartsWith("$$", StringComparison.Ordinal) ? 2 : 1;
        var segments = new List<Segment>();
        var i = start;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                i++;
                if (i < text.Length && text[i] == '*')
                {
                    segments.Add(new Segment(SegmentKind.Wildcard));
                    i++;
                    continue;
                }

                var begin = i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                if (i == begin)
                {
                    throw new FormatException($"The path '{text}' has an empty name at position {begin}.");
                }

                segments.Add(new Segment(SegmentKind.Name, text[begin..i]));
            }
            else if (text[i] == '[')
            {
                var end = FindClose(text, i);
                var inner = text[(i + 1)..end].Trim();
                segments.Add(ParseBracket(text, inner));
                i = end + 1;
            }
            else
            {
                throw new FormatException($"The path '{text}' has an unexpected '{text[i]}' at position {i}.");
            }
        }

        return new JsonPath(text, [.. segments]);
    }

    private static int FindClose(string text, int open)
    {
        var quote = '\0';
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ']')
            {
                return i;
            }
        }

        throw new FormatException($"The path '{text}' has an unclosed '['.");
    }

    private static Segment ParseBracket(string text, string inner)
    {
        if (inner == "*")
        {
            return new Segment(SegmentKind.Wildcard);
        }

        if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
        {
            return new Segment(SegmentKind.Name, inner[1..^1].Replace("\\'", "'", StringComparison.Ordinal));
        }

        if (inner.Contains(':', StringComparison.Ordinal))
        {
            var parts = inner.Split(':');
            int? from = parts[0].Length == 0 ? null : int.Parse(parts[0], CultureInfo.InvariantCulture);
            int? to = parts[1].Length == 0 ? null : int.Parse(parts[1], CultureInfo.InvariantCulture);
            return new Segment(SegmentKind.Slice, From: from, To: to);
        }

        if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            return new Segment(SegmentKind.Index, Index: index);
        }

        throw new FormatException($"The path '{text}' has an unsupported selector [{inner}] (filters are not supported).");
    }

    /// <summary>Selects from <paramref name="root"/>. Definite paths: the node, or false when absent. Others: an array of matches.</summary>
    public bool TrySelect(JsonNode? root, out JsonNode? result)
    {
        if (IsDefinite)
        {
            var current = root;
            foreach (var segment in _segments)
            {
                if (!TryStep(current, segment, out current))
                {
                    result = null;
                    return false;
                }
            }

            result = current;
            return true;
        }

        IEnumerable<JsonNode?> nodes = [root];
        foreach (var segment in _segments)
        {
            nodes = nodes.SelectMany(n => Expand(n, segment)).ToList();
        }

        result = new JsonArray([.. nodes.Select(n => n?.DeepClone())]);
        return true;
    }

    /// <summary>Selects, or fails the way Step Functions does when the path finds nothing.</summary>
    public JsonNode? Select(JsonNode? root) =>
        TrySelect(root, out var result) ? result : throw new StatesException(AslErrors.Runtime, $"Invalid path '{Text}' : No results for path: {Normalized()}");

    /// <summary>Jayway's normalized form, as Step Functions prints it in errors: $['a']['b'][0].</summary>
    public string Normalized()
    {
        var text = new StringBuilder("$");
        foreach (var s in _segments)
        {
            text.Append(s.Kind switch
            {
                SegmentKind.Name => $"['{s.Name}']",
                SegmentKind.Index => string.Create(CultureInfo.InvariantCulture, $"[{s.Index}]"),
                SegmentKind.Wildcard => "[*]",
                _ => string.Create(CultureInfo.InvariantCulture, $"[{s.From}:{s.To}]"),
            });
        }

        return text.ToString();
    }

    /// <summary>Sets the node at this path in <paramref name="root"/> (ResultPath), creating objects on the way.</summary>
    public JsonNode? Set(JsonNode? root, JsonNode? value)
    {
        if (_segments.Length == 0)
        {
            return value;
        }

        if (!IsDefinite)
        {
            throw new StatesException(AslErrors.ResultPathMatchFailure, $"The ResultPath '{Text}' must be a definite path.");
        }

        if (root is not JsonObject && root is not JsonArray)
        {
            throw new StatesException(AslErrors.ResultPathMatchFailure, $"Unable to apply ResultPath \"{Text}\" to input {root?.ToJsonString() ?? "null"}");
        }

        var current = root;
        for (var i = 0; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            var last = i == _segments.Length - 1;
            if (segment.Kind == SegmentKind.Name && current is JsonObject obj)
            {
                if (last)
                {
                    obj[segment.Name!] = value;
                    break;
                }

                if (obj[segment.Name!] is not (JsonObject or JsonArray))
                {
                    obj[segment.Name!] = new JsonObject();
                }

                current = obj[segment.Name!];
            }
            else if (segment.Kind == SegmentKind.Index && current is JsonArray array && segment.Index < array.Count && segment.Index >= 0)
            {
                if (last)
                {
                    array[segment.Index] = value;
                    break;
                }

                current = array[segment.Index];
            }
            else
            {
                throw new StatesException(AslErrors.ResultPathMatchFailure, $"Unable to apply ResultPath \"{Text}\" to input {root.ToJsonString()}");
            }
        }

        return root;
    }

    private static bool TryStep(JsonNode? node, Segment segment, out JsonNode? next)
    {
        next = null;
        switch (segment.Kind)
        {
            case SegmentKind.Name when node is JsonObject obj:
                return obj.TryGetPropertyValue(segment.Name!, out next);
            case SegmentKind.Index when node is JsonArray array:
                var index = segment.Index < 0 ? array.Count + segment.Index : segment.Index;
                if (index < 0 || index >= array.Count)
                {
                    return false;
                }

                next = array[index];
                return true;
            default:
                return false;
        }
    }

    private static IEnumerable<JsonNode?> Expand(JsonNode? node, Segment segment)
    {
        switch (segment.Kind)
        {
            case SegmentKind.Wildcard when node is JsonArray array:
                return array;
            case SegmentKind.Wildcard when node is JsonObject obj:
                return obj.Select(p => p.Value);
            case SegmentKind.Slice when node is JsonArray array:
                var from = Clamp(segment.From ?? 0, array.Count);
                var to = Clamp(segment.To ?? array.Count, array.Count);
                return array.Skip(from).Take(Math.Max(0, to - from));
            default:
                return TryStep(node, segment, out var next) ? [next] : [];
        }
    }

    private static int Clamp(int index, int count) => Math.Clamp(index < 0 ? count + index : index, 0, count);

    public override string ToString() => Text;

    private enum SegmentKind
    {
        Name,
        Index,
        Wildcard,
        Slice,
    }

    private sealed record Segment(SegmentKind Kind, string? Name = null, int Index = 0, int? From = null, int? To = null);
}
