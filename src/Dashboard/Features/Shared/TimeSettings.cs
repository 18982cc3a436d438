using System.Globalization;

namespace BatchOps.Dashboard.Features.Shared;

/// <summary>
/// How the current user wants times shown: in their browser's time zone or in UTC. Cascaded from the layout; the
/// browser's zone arrives after the first interactive render (until then, UTC).
/// </summary>
public sealed record TimeSettings(TimeZoneInfo Zone, bool Utc)
{
    public static readonly TimeSettings UtcDefault = new(TimeZoneInfo.Utc, true);

    public TimeZoneInfo Effective => Utc ? TimeZoneInfo.Utc : Zone;

    public string ZoneLabel => Utc ? "UTC" : Zone.Id;

    public string Absolute(DateTimeOffset value) =>
        TimeZoneInfo.ConvertTime(value, Effective).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (Utc ? " UTC" : "");

    public static string Relative(DateTimeOffset value, DateTimeOffset now)
    {
        var delta = now - value;
        var future = delta < TimeSpan.Zero;
        var span = future ? -delta : delta;
        var text = span.TotalSeconds < 45 ? "just now"
            : span.TotalMinutes < 90 ? $"{Math.Max(1, (int)Math.Round(span.TotalMinutes))} min"
            : span.TotalHours < 36 ? $"{(int)Math.Round(span.TotalHours)} h"
            : $"{(int)Math.Round(span.TotalDays)} d";
        return text == "just now" ? text : future ? "in " + text : text + " ago";
    }

    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds < 1 ? $"{(int)span.TotalMilliseconds} ms"
            : span.TotalMinutes < 1 ? $"{span.TotalSeconds:0.#} s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : $"{(int)span.TotalDays} d {span.Hours} h";
    }

    /// <summary>Resolves an IANA id from the browser; unknown ids fall back to UTC rather than failing the page.</summary>
    public static TimeSettings FromBrowser(string? zoneId, bool utc) =>
        zoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) ? new TimeSettings(zone, utc) : UtcDefault;
}
