using System.Globalization;

namespace BatchOps.Dashboard.Features.Shared;

/// <summary>How the pages' URL filters write and read times (UTC, ISO 8601), the same on every page.</summary>
public static class FilterValues
{
    public static string FormatTime(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A date or date-time (UTC unless it says otherwise); an unreadable value is reported and dropped.</summary>
    public static DateTimeOffset? ParseTime(string? value, string name, ICollection<string>? problems)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        problems?.Add($"\"{name}\" is not a date or time (use 2026-11-21 or 2026-11-21T05:00:00Z); ignored.");
        return null;
    }
}
