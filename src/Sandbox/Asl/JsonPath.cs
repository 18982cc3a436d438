using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Where a path starts: the state's input (<c>$</c>), the context object (<c>$$</c>) or a variable (<c>$name</c>).</summary>
public enum PathRoot
{
    Input,
    Context,
    Variable,
}

/// <summary>
/// The JSONPath Step Functions accepts (Jayway's dialect): <c>$</c>, <c>$$</c>, <c>$variable</c>, <c>.name</c>,
/// <c>['name']</c>, <c>[n]</c>, unions <c>[0,2]</c> / <c>['a','b']</c>, <c>[*]</c>, <c>.*</c>, slices <c>[a:b]</c>,
/// recursive descent <c>..name</c> and filters <c>[?(@.x &gt; 1 &amp;&amp; @.y == 'a')]</c>. Paths that can match several
/// nodes yield an array of the matches.
/// </summary>
public sealed class JsonPath
{
    private readonly Segment[] _segments;

    private JsonPath(string text, PathRoot root, string? variable, Segment[] segments)
    {
        Text = text;
        Root = root;
        VariableName = variable;
        _segments = segments;
        IsDefinite = segments.All(s => s.Kind is SegmentKind.Name or SegmentKind.Index);
    }

    public string Text { get; }

    public PathRoot Root { get; }

    /// <summary>The variable a <c>$name</c> path reads.</summary>
    public string? VariableName { get; }

    /// <summary>A path without wildcards, slices, unions, filters or descent names at most one node.</summary>
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

        var root = PathRoot.Input;
        string? variable = null;
        var i = 1;
        if (text.StartsWith("$$", StringComparison.Ordinal))
        {
            (root, i) = (PathRoot.Context, 2);
        }
        else if (text.Length > 1 && (char.IsLetter(text[1]) || text[1] == '_'))
        {
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            (root, variable) = (PathRoot.Variable, text[1..i]);
        }

        return new JsonPath(text, root, variable, ParseSegments(text, i, text.Length));
    }

    private static Segment[] ParseSegments(string text, int i, int end)
    {
        var segments = new List<Segment>();
        while (i < end)
        {
            if (text[i] == '.')
            {
                i++;
                var descend = i < end && text[i] == '.';
                if (descend)
                {
                    i++;
                    segments.Add(new Segment(SegmentKind.Descent));
                    if (i < end && text[i] == '[')
                    {
                        continue;
                    }
                }

                if (i < end && text[i] == '*')
                {
                    segments.Add(new Segment(SegmentKind.Wildcard));
                    i++;
                    continue;
                }

                var begin = i;
                while (i < end && text[i] != '.' && text[i] != '[')
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
                var close = FindClose(text, i);
                segments.Add(ParseBracket(text, text[(i + 1)..close].Trim()));
                i = close + 1;
            }
            else
            {
                throw new FormatException($"The path '{text}' has an unexpected '{text[i]}' at position {i}.");
            }
        }

        return [.. segments];
    }

    private static int FindClose(string text, int open)
    {
        var quote = '\0';
        var depth = 0;
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
            else if (c == '[')
            {
                depth++;
            }
            else if (c == ']' && depth-- == 0)
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

        if (inner.StartsWith('?'))
        {
            var body = inner[1..].Trim();
            if (body.Length < 2 || body[0] != '(' || body[^1] != ')')
            {
                throw new FormatException($"The path '{text}' has a filter that is not in parentheses: [{inner}].");
            }

            return new Segment(SegmentKind.Filter, Filter: new FilterParser(text, body[1..^1]).ParseAll());
        }

        var parts = SplitUnion(inner);
        if (parts.Count > 1)
        {
            return new Segment(SegmentKind.Union, Union: [.. parts.Select(p => ParseBracket(text, p.Trim()))]);
        }

        if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
        {
            return new Segment(SegmentKind.Name, inner[1..^1].Replace("\\'", "'", StringComparison.Ordinal));
        }

        if (inner.Contains(':', StringComparison.Ordinal))
        {
            var bounds = inner.Split(':');
            int? from = bounds[0].Length == 0 ? null : int.Parse(bounds[0], CultureInfo.InvariantCulture);
            int? to = bounds[1].Length == 0 ? null : int.Parse(bounds[1], CultureInfo.InvariantCulture);
            return new Segment(SegmentKind.Slice, From: from, To: to);
        }

        if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            return new Segment(SegmentKind.Index, Index: index);
        }

        throw new FormatException($"The path '{text}' has an unsupported selector [{inner}].");
    }

    private static List<string> SplitUnion(string inner)
    {
        var parts = new List<string>();
        var quote = '\0';
        var start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ',')
            {
                parts.Add(inner[start..i]);
                start = i + 1;
            }
        }

        parts.Add(inner[start..]);
        return parts;
    }

    /// <summary>Selects from the root this path names in <paramref name="bindings"/>; see <see cref="TrySelect(JsonNode?, out JsonNode?)"/>.</summary>
    public bool TrySelect(in Bindings bindings, out JsonNode? result) => TrySelect(RootNode(bindings), out result);

    /// <summary>The node this path starts from; an undefined variable is an error, as in Step Functions.</summary>
    public JsonNode? RootNode(in Bindings bindings) => Root switch
    {
        PathRoot.Context => bindings.Context,
        PathRoot.Variable => bindings.Variables.TryGet(VariableName!, out var value)
            ? value
            : throw new StatesException(AslErrors.Runtime, $"Invalid path '{Text}': the variable '{VariableName}' is not defined in this scope."),
        _ => bindings.Input,
    };

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
            nodes = nodes.SelectMany(n => Expand(n, segment, root)).ToList();
        }

        result = new JsonArray([.. nodes.Select(n => n?.DeepClone())]);
        return true;
    }

    /// <summary>Selects, or fails the way Step Functions does when the path finds nothing.</summary>
    public JsonNode? Select(in Bindings bindings) =>
        TrySelect(bindings, out var result) ? result : throw new StatesException(AslErrors.Runtime, $"Invalid path '{Text}' : No results for path: {Normalized()}");

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
                SegmentKind.Descent => "..",
                SegmentKind.Filter => "[?]",
                SegmentKind.Union => "[" + string.Join(',', s.Union!.Select(u => u.Kind == SegmentKind.Name ? $"'{u.Name}'" : u.Index.ToString(CultureInfo.InvariantCulture))) + "]",
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

    private static IEnumerable<JsonNode?> Expand(JsonNode? node, Segment segment, JsonNode? root)
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
            case SegmentKind.Union:
                return segment.Union!.SelectMany(u => Expand(node, u, root));
            case SegmentKind.Descent:
                return SelfAndDescendants(node);
            case SegmentKind.Filter:
                IEnumerable<JsonNode?> candidates = node switch
                {
                    JsonArray items => items,
                    JsonObject members => members.Select(p => p.Value),
                    _ => [],
                };
                return candidates.Where(c => segment.Filter!.Test(c, root));
            default:
                return TryStep(node, segment, out var next) ? [next] : [];
        }
    }

    private static IEnumerable<JsonNode?> SelfAndDescendants(JsonNode? node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonArray array => array,
            JsonObject obj => obj.Select(p => p.Value),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in SelfAndDescendants(child))
            {
                yield return descendant;
            }
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
        Union,
        Descent,
        Filter,
    }

    private sealed record Segment(SegmentKind Kind, string? Name = null, int Index = 0, int? From = null, int? To = null, Segment[]? Union = null, FilterExpression? Filter = null);

    /// <summary>A filter's condition: <c>@.path</c> (present), comparisons, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses.</summary>
    private abstract record FilterExpression
    {
        public abstract bool Test(JsonNode? current, JsonNode? root);
    }

    private sealed record AndFilter(FilterExpression Left, FilterExpression Right) : FilterExpression
    {
        public override bool Test(JsonNode? current, JsonNode? root) => Left.Test(current, root) && Right.Test(current, root);
    }

    private sealed record OrFilter(FilterExpression Left, FilterExpression Right) : FilterExpression
    {
        public override bool Test(JsonNode? current, JsonNode? root) => Left.Test(current, root) || Right.Test(current, root);
    }

    private sealed record NotFilter(FilterExpression Inner) : FilterExpression
    {
        public override bool Test(JsonNode? current, JsonNode? root) => !Inner.Test(current, root);
    }

    private sealed record ExistsFilter(Operand Operand) : FilterExpression
    {
        public override bool Test(JsonNode? current, JsonNode? root) => Operand.TryResolve(current, root, out _);
    }

    private sealed record CompareFilter(Operand Left, string Op, Operand Right) : FilterExpression
    {
        public override bool Test(JsonNode? current, JsonNode? root)
        {
            if (!Left.TryResolve(current, root, out var a) || !Right.TryResolve(current, root, out var b))
            {
                return false;
            }

            if (Op is "==" or "!=")
            {
                return JsonNode.DeepEquals(a, b) == (Op == "==");
            }

            var order = (a?.GetValueKind(), b?.GetValueKind()) switch
            {
                (JsonValueKind.Number, JsonValueKind.Number) => a!.ToDouble().CompareTo(b!.ToDouble()),
                (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>()),
                _ => (int?)null,
            };
            return order is { } o && Op switch
            {
                "<" => o < 0,
                "<=" => o <= 0,
                ">" => o > 0,
                _ => o >= 0,
            };
        }
    }

    /// <summary>A side of a filter comparison: a literal, or a path from the current item (@) or the document root ($).</summary>
    private sealed record Operand(JsonNode? Literal, bool FromCurrent, Segment[]? Path)
    {
        public bool TryResolve(JsonNode? current, JsonNode? root, out JsonNode? value)
        {
            if (Path is null)
            {
                value = Literal;
                return true;
            }

            value = FromCurrent ? current : root;
            foreach (var segment in Path)
            {
                if (!TryStep(value, segment, out value))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class FilterParser(string path, string text)
    {
        private int _i;

        public FilterExpression ParseAll()
        {
            var expression = ParseOr();
            Skip();
            return _i == text.Length ? expression : throw Error("unexpected text");
        }

        private FilterExpression ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                left = new OrFilter(left, ParseAnd());
            }

            return left;
        }

        private FilterExpression ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("&&"))
            {
                left = new AndFilter(left, ParseUnary());
            }

            return left;
        }

        private FilterExpression ParseUnary()
        {
            if (Accept("!"))
            {
                return new NotFilter(ParseUnary());
            }

            if (Accept("("))
            {
                var inner = ParseOr();
                return Accept(")") ? inner : throw Error("missing ')'");
            }

            var left = ParseOperand();
            foreach (var op in (string[])["==", "!=", "<=", ">=", "<", ">"])
            {
                if (Accept(op))
                {
                    return new CompareFilter(left, op, ParseOperand());
                }
            }

            return left.Path is not null ? new ExistsFilter(left) : throw Error("a literal alone is not a condition");
        }

        private Operand ParseOperand()
        {
            Skip();
            if (_i >= text.Length)
            {
                throw Error("missing operand");
            }

            var c = text[_i];
            if (c is '@' or '$')
            {
                var start = ++_i;
                while (_i < text.Length && (char.IsLetterOrDigit(text[_i]) || text[_i] is '.' or '_' or '-' || text[_i] == '['))
                {
                    _i = text[_i] == '[' ? FindClose(text, _i) + 1 : _i + 1;
                }

                var segments = ParseSegments(text, start, _i);
                return segments.All(s => s.Kind is SegmentKind.Name or SegmentKind.Index)
                    ? new Operand(null, c == '@', segments)
                    : throw Error("only definite paths can be compared");
            }

            if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, _i + 1);
                if (end < 0)
                {
                    throw Error("unclosed string");
                }

                var value = text[(_i + 1)..end];
                _i = end + 1;
                return new Operand(JsonValue.Create(value), false, null);
            }

            var literalStart = _i;
            while (_i < text.Length && (char.IsLetterOrDigit(text[_i]) || text[_i] is '.' or '-' or '+'))
            {
                _i++;
            }

            try
            {
                return new Operand(JsonNode.Parse(text[literalStart.._i]), false, null);
            }
            catch (JsonException)
            {
                throw Error($"'{text[literalStart.._i]}' is not a literal");
            }
        }

        private bool Accept(string token)
        {
            Skip();
            if (text.AsSpan(_i).StartsWith(token, StringComparison.Ordinal))
            {
                _i += token.Length;
                return true;
            }

            return false;
        }

        private void Skip()
        {
            while (_i < text.Length && char.IsWhiteSpace(text[_i]))
            {
                _i++;
            }
        }

        private FormatException Error(string why) => new($"The path '{path}' has an invalid filter ({why}) at '{text[Math.Min(_i, text.Length)..]}'.");
    }
}
