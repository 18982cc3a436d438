using System.Text;

namespace BatchOps.Sandbox.Tests.Conformance;

/// <summary>Turns the recordings' JSON5 templates into JSON: comments, unquoted keys, single quotes, trailing commas.</summary>
public static class Json5
{
    public static string ToJson(string text)
    {
        var output = new StringBuilder(text.Length + 64);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                var quote = c;
                output.Append('"');
                for (i++; i < text.Length && text[i] != quote; i++)
                {
                    if (text[i] == '\\')
                    {
                        output.Append(text[i]).Append(text[++i]);
                    }
                    else
                    {
                        output.Append(text[i] == '"' ? "\\\"" : text[i].ToString());
                    }
                }

                output.Append('"');
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                output.Append('\n');
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                i = text.IndexOf("*/", i + 2, StringComparison.Ordinal) + 1;
            }
            else if (char.IsLetter(c) || c is '_' or '$')
            {
                var start = i;
                while (i + 1 < text.Length && (char.IsLetterOrDigit(text[i + 1]) || text[i + 1] is '_' or '$'))
                {
                    i++;
                }

                var word = text[start..(i + 1)];
                var j = i + 1;
                while (j < text.Length && char.IsWhiteSpace(text[j]))
                {
                    j++;
                }

                output.Append(j < text.Length && text[j] == ':' ? $"\"{word}\"" : word);
            }
            else if (c == ',' && text[(i + 1)..].TrimStart() is { Length: > 0 } rest && rest[0] is '}' or ']')
            {
                // Trailing comma: dropped.
            }
            else
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }
}
