using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace BatchOps.Dashboard.Components.Controls;

/// <summary>
/// Horizontal stacked bars drawn as SVG: one bar per label, one segment per series. Built in C# because Razor reserves
/// the &lt;text&gt; tag SVG needs. Labels are added as text nodes, never as markup.
/// </summary>
public sealed class BarChart : ComponentBase
{
    private const int RowHeight = 26;
    private const int LabelWidth = 140;
    private const int Width = 600;

    public sealed record Segment(string Name, int Value, string Color);

    public sealed record Bar(string Label, IReadOnlyList<Segment> Segments);

    [Parameter, EditorRequired] public required IReadOnlyList<Bar> Bars { get; set; }
    [Parameter] public string Title { get; set; } = "";
    [Parameter] public string Empty { get; set; } = "Nothing to show.";

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Bars.Count == 0)
        {
            builder.OpenElement(0, "p");
            builder.AddAttribute(1, "class", "text-secondary small mb-0");
            builder.AddContent(2, Empty);
            builder.CloseElement();
            return;
        }

        var max = Math.Max(1, Bars.Max(b => b.Segments.Sum(s => s.Value)));
        var height = (Bars.Count * RowHeight) + 8;
        builder.OpenElement(10, "svg");
        builder.AddAttribute(11, "class", "chart");
        builder.AddAttribute(12, "width", "100%");
        builder.AddAttribute(13, "height", height);
        builder.AddAttribute(14, "viewBox", $"0 0 {Width} {height}");
        builder.AddAttribute(15, "role", "img");
        builder.AddAttribute(16, "aria-label", Title);
        builder.OpenElement(17, "title");
        builder.AddContent(18, Title);
        builder.CloseElement();
        for (var i = 0; i < Bars.Count; i++)
        {
            var bar = Bars[i];
            var y = (i * RowHeight) + 4;
            Text(builder, 0, y + 14, bar.Label);
            double x = LabelWidth;
            foreach (var segment in bar.Segments)
            {
                var w = segment.Value / (double)max * (Width - LabelWidth - 40);
                builder.OpenElement(30, "rect");
                builder.AddAttribute(31, "x", Number(x));
                builder.AddAttribute(32, "y", y);
                builder.AddAttribute(33, "width", Number(w));
                builder.AddAttribute(34, "height", 18);
                builder.AddAttribute(35, "fill", segment.Color);
                builder.OpenElement(36, "title");
                builder.AddContent(37, $"{bar.Label} · {segment.Name}: {segment.Value}");
                builder.CloseElement();
                builder.CloseElement();
                x += w;
            }

            Text(builder, x + 4, y + 14, bar.Segments.Sum(s => s.Value).ToString(CultureInfo.InvariantCulture));
        }

        builder.CloseElement();

        builder.OpenElement(50, "div");
        builder.AddAttribute(51, "class", "d-flex flex-wrap gap-3 small");
        foreach (var series in Bars.SelectMany(b => b.Segments).DistinctBy(s => s.Name))
        {
            builder.OpenElement(52, "span");
            builder.OpenElement(53, "svg");
            builder.AddAttribute(54, "width", 10);
            builder.AddAttribute(55, "height", 10);
            builder.OpenElement(56, "rect");
            builder.AddAttribute(57, "width", 10);
            builder.AddAttribute(58, "height", 10);
            builder.AddAttribute(59, "fill", series.Color);
            builder.CloseElement();
            builder.CloseElement();
            builder.AddContent(60, " " + series.Name);
            builder.CloseElement();
        }

        builder.CloseElement();
    }

    private static void Text(RenderTreeBuilder builder, double x, double y, string content)
    {
        builder.OpenElement(20, "text");
        builder.AddAttribute(21, "x", Number(x));
        builder.AddAttribute(22, "y", Number(y));
        builder.AddContent(23, content);
        builder.CloseElement();
    }

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
