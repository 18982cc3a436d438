using System.Collections;
using System.Globalization;
using System.Text;
using BatchOps.Aws.Signing;

namespace BatchOps.Aws.Runtime;

/// <summary>
/// Collects the rest-json bindings of one request: URI labels, query parameters and headers. The generated
/// binders call it with each bound member; it formats values as the restJson1 protocol specifies.
/// </summary>
public sealed class HttpBindings
{
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _query = [];
    private readonly List<KeyValuePair<string, string>> _mapQuery = [];

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public void Label(string name, object? value, TimestampFormat format = TimestampFormat.Iso8601)
    {
        if (value is null || value is string { Length: 0 })
        {
            throw new ArgumentException($"{name} is required: it is part of the request path.", name);
        }

        _labels[name] = Format(value, format);
    }

    public void Query(string name, object? value, TimestampFormat format = TimestampFormat.Iso8601)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                _query.Add(new(name, s));
                return;
            case IEnumerable items:
                foreach (var item in items)
                {
                    _query.Add(new(name, Format(item!, format)));
                }

                return;
            default:
                _query.Add(new(name, Format(value, format)));
                return;
        }
    }

    /// <summary>A map bound to the query string: its keys become parameter names. Explicit members win.</summary>
    public void QueryMap(string name, object? map)
    {
        _ = name;
        if (map is not IDictionary dictionary)
        {
            return;
        }

        foreach (DictionaryEntry entry in dictionary)
        {
            var key = (string)entry.Key;
            if (entry.Value is IEnumerable values and not string)
            {
                foreach (var v in values)
                {
                    _mapQuery.Add(new(key, Format(v!, TimestampFormat.Iso8601)));
                }
            }
            else if (entry.Value is not null)
            {
                _mapQuery.Add(new(key, Format(entry.Value, TimestampFormat.Iso8601)));
            }
        }
    }

    public void Header(string name, object? value, TimestampFormat format = TimestampFormat.HttpDate)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                Headers.Add(new(name, s));
                return;
            case IEnumerable items:
                var parts = new List<string>();
                foreach (var item in items)
                {
                    var text = Format(item!, format);
                    parts.Add(item is string && (text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal))
                        ? "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
                        : text);
                }

                Headers.Add(new(name, string.Join(", ", parts)));
                return;
            default:
                Headers.Add(new(name, Format(value, format)));
                return;
        }
    }

    public void PrefixHeaders(string prefix, object? map)
    {
        if (map is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                Header(prefix + (string)entry.Key, entry.Value);
            }
        }
    }

    /// <summary>Expands the URI template (labels encoded, greedy labels keep '/') and appends the query string.</summary>
    public string BuildPathAndQuery(string template)
    {
        var q = template.IndexOf('?', StringComparison.Ordinal);
        var pathTemplate = q < 0 ? template : template[..q];
        var constantQuery = q < 0 ? string.Empty : template[(q + 1)..];

        var path = new StringBuilder();
        var i = 0;
        while (i < pathTemplate.Length)
        {
            var open = pathTemplate.IndexOf('{', i);
            if (open < 0)
            {
                path.Append(pathTemplate, i, pathTemplate.Length - i);
                break;
            }

            path.Append(pathTemplate, i, open - i);
            var close = pathTemplate.IndexOf('}', open);
            var label = pathTemplate[(open + 1)..close];
            var greedy = label.EndsWith('+');
            label = label.TrimEnd('+');
            if (!_labels.TryGetValue(label, out var value))
            {
                throw new ArgumentException($"{label} is required: it is part of the request path.", label);
            }

            path.Append(greedy ? string.Join('/', value.Split('/').Select(SigV4Signer.UriEncode)) : SigV4Signer.UriEncode(value));
            i = close + 1;
        }

        var query = new List<string>();
        if (constantQuery.Length > 0)
        {
            query.AddRange(constantQuery.Split('&', StringSplitOptions.RemoveEmptyEntries));
        }

        var explicitNames = _query.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in _query.Concat(_mapQuery.Where(p => !explicitNames.Contains(p.Key))))
        {
            query.Add(SigV4Signer.UriEncode(key) + "=" + SigV4Signer.UriEncode(value));
        }

        return query.Count == 0 ? path.ToString() : path + "?" + string.Join('&', query);
    }

    public static string Format(object value, TimestampFormat format) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        int n => n.ToString(CultureInfo.InvariantCulture),
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d when double.IsNaN(d) => "NaN",
        double d when double.IsPositiveInfinity(d) => "Infinity",
        double d when double.IsNegativeInfinity(d) => "-Infinity",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => format switch
        {
            TimestampFormat.EpochSeconds => AwsTimestamp.ToEpochSecondsString(t),
            TimestampFormat.HttpDate => AwsTimestamp.ToHttpDate(t),
            _ => AwsTimestamp.ToIso8601(t),
        },
        byte[] blob => Convert.ToBase64String(blob),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
