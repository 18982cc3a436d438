namespace BatchOps.Dashboard.Features.Executions.Actions;

/// <summary>One line of a diff: ' ' kept, '-' only before, '+' only after.</summary>
public sealed record DiffLine(char Kind, string Text);

/// <summary>A line diff (longest common subsequence) of two JSON documents, pretty-printed the same way.</summary>
public static class JsonDiff
{
    /// <summary>Above this many line pairs the middle is shown as replaced rather than aligned (inputs go up to 256 KiB).</summary>
    private const long MaxCells = 1_000_000;

    public static IReadOnlyList<DiffLine> Lines(string before, string after)
    {
        var a = Pretty(before);
        var b = Pretty(after);

        // Edits are usually small: keep the common head and tail out of the alignment.
        var head = 0;
        while (head < a.Length && head < b.Length && Same(a[head], b[head]))
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && Same(a[^(tail + 1)], b[^(tail + 1)]))
        {
            tail++;
        }

        var lines = new List<DiffLine>(a.Length + b.Length);
        lines.AddRange(b[..head].Select(l => new DiffLine(' ', l)));
        Align(a[head..^tail], b[head..^tail], lines);
        lines.AddRange(b[^tail..].Select(l => new DiffLine(' ', l)));
        return lines;
    }

    /// <summary>Longest common subsequence of the middles.</summary>
    private static void Align(string[] a, string[] b, List<DiffLine> lines)
    {
        if ((long)a.Length * b.Length > MaxCells)
        {
            lines.AddRange(a.Select(l => new DiffLine('-', l)));
            lines.AddRange(b.Select(l => new DiffLine('+', l)));
            return;
        }

        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = Same(a[i], b[j]) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (Same(a[x], b[y]))
            {
                // The new text: the same member with or without its trailing comma is not a change.
                lines.Add(new DiffLine(' ', b[y++]));
                x++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                lines.Add(new DiffLine('-', a[x++]));
            }
            else
            {
                lines.Add(new DiffLine('+', b[y++]));
            }
        }

        lines.AddRange(a[x..].Select(l => new DiffLine('-', l)));
        lines.AddRange(b[y..].Select(l => new DiffLine('+', l)));
    }

    private static bool Same(string a, string b) => a.AsSpan().TrimEnd(',').SequenceEqual(b.AsSpan().TrimEnd(','));

    /// <summary>Indented JSON lines; text that is not JSON is compared as it is.</summary>
    private static string[] Pretty(string json) => JsonPreview.Pretty(json).Split('\n');
}
