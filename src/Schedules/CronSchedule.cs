using System.Globalization;
using System.Text;
using Cronos;

namespace BatchOps.Schedules;

/// <summary>
/// <c>cron(minutes hours day-of-month month day-of-week year)</c> in AWS's dialect. Cronos matches the first five
/// fields (with <c>?</c>, <c>L</c>, <c>W</c> and <c>#</c>) on the schedule's wall clock; the year field, AWS's day-of-week
/// numbering (1 = Sunday) and the clock changes (a skipped time does not run, a repeated one runs once) are ours.
/// </summary>
public sealed record CronSchedule : ScheduleExpression
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private readonly CronExpression _cron;
    private readonly SortedSet<int>? _years;

    private CronSchedule(string text, string[] fields, CronExpression cron, SortedSet<int>? years) : base(text)
    {
        Fields = fields;
        _cron = cron;
        _years = years;
    }

    /// <summary>minutes, hours, day-of-month, month, day-of-week, year as written.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>The years it may run in; null for any.</summary>
    public IReadOnlySet<int>? Years => _years;

    internal static string? TryCreate(string text, out ScheduleExpression? expression)
    {
        expression = null;
        if (!text.EndsWith(')'))
        {
            return "cron() must end with ')'.";
        }

        var body = text[5..^1];
        var fields = body.Split(' ');
        if (body.Length == 0 || fields.Length != 6 || fields.Any(f => f.Length == 0))
        {
            return $"cron() takes six fields separated by single spaces (minutes hours day-of-month month day-of-week year); this has {(body.Length == 0 ? 0 : fields.Count(f => f.Length > 0))}.";
        }

        var (minutes, hours, dom, month, dow, year) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
        if ((dom == "?") == (dow == "?"))
        {
            return "Exactly one of day-of-month and day-of-week must be '?': give a value in one and '?' in the other.";
        }

        var problem = Check(minutes, "minutes", 0, 59, null, "")
            ?? Check(hours, "hours", 0, 23, null, "")
            ?? (dom == "?" ? null : Check(dom, "day-of-month", 1, 31, null, "LW"))
            ?? Check(month, "month", 1, 12, MonthNames, "")
            ?? (dow == "?" ? null : Check(dow, "day-of-week", 1, 7, DayNames, "L#"))
            ?? Check(year, "year", 1970, 2199, null, "");
        if (problem is not null)
        {
            return problem;
        }

        CronExpression cron;
        try
        {
            cron = CronExpression.Parse($"{minutes} {hours} {dom} {month} {ToCronosDays(dow)}", CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            return $"Its day fields are not valid together ({e.Message.TrimEnd('.')}).";
        }

        SortedSet<int>? years = null;
        if (year != "*")
        {
            years = [.. Values(year, 1970, 2199, null)];
        }

        expression = new CronSchedule(text, fields, cron, years);
        return null;
    }

    public override IEnumerable<Occurrence> Occurrences(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var from = start is { } s && s > after ? s.AddTicks(-1) : after;
        // Cronos walks the schedule's wall clock (as if it were UTC, which has no clock changes); each wall time is then
        // placed in the zone.
        var wall = TimeZoneInfo.ConvertTime(from, zone).DateTime;
        wall = new DateTime(wall.Year, wall.Month, wall.Day, wall.Hour, wall.Minute, 0, DateTimeKind.Utc);
        var emitted = 0;
        while (emitted < 100_000)
        {
            var next = _cron.GetNextOccurrence(wall, TimeZoneInfo.Utc, inclusive: false);
            if (next is not { } found || found.Year > 2199)
            {
                yield break;
            }

            if (_years is not null && !_years.Contains(found.Year))
            {
                var later = _years.GetViewBetween(found.Year + 1, 2199);
                if (later.Count == 0)
                {
                    yield break;
                }

                wall = new DateTime(later.Min, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(-1);
                continue;
            }

            wall = found;
            var local = DateTime.SpecifyKind(found, DateTimeKind.Unspecified);
            var at = Instant(local, zone);
            if (at is { } instant && instant <= from)
            {
                // The first pass of a repeated hour when we start in its second pass: that time has been.
                continue;
            }

            emitted++;
            yield return new Occurrence(local, at, zone.IsAmbiguousTime(local));
        }
    }

    public override string Describe()
    {
        var (minutes, hours, dom, month, dow, year) = (Fields[0], Fields[1], Fields[2], Fields[3], Fields[4], Fields[5]);
        var single = int.TryParse(minutes, NumberStyles.None, CultureInfo.InvariantCulture, out var m) & int.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out var h);
        var days = (dom, dow) switch
        {
            ("*" or "?", "*" or "?") => "every day",
            (_, "?") => dom == "L" ? "on the last day of the month" : $"on day {dom} of the month",
            _ => $"on {DayWords(dow)}",
        };
        var when = single ? $"{days} at {h:00}:{m:00}"
            : hours == "*" && int.TryParse(minutes, NumberStyles.None, CultureInfo.InvariantCulture, out var minute) ? $"{days}, every hour at minute {minute}"
            : minutes.StartsWith("*/", StringComparison.Ordinal) || minutes.StartsWith("0/", StringComparison.Ordinal) ? $"{days}, every {minutes[2..]} minutes{(hours == "*" ? "" : $" in hours {hours}")}"
            : $"{days}, at minutes {minutes} of hours {hours}";
        if (month != "*")
        {
            when += $", in {month}";
        }

        if (year != "*")
        {
            when += $", in {year}";
        }

        return when;
    }

    private static string DayWords(string dow)
    {
        var words = new StringBuilder();
        foreach (var ch in dow)
        {
            words.Append(char.IsDigit(ch) && ch is >= '1' and <= '7' ? DayNames[ch - '1'] : ch);
        }

        return words.ToString().Replace("-", "–", StringComparison.Ordinal).Replace(",", ", ", StringComparison.Ordinal);
    }

    /// <summary>A field's syntax and ranges, said specifically: "minutes: 71 is not between 0 and 59".</summary>
    private static string? Check(string field, string name, int min, int max, string[]? names, string specials)
    {
        if (field == "*")
        {
            return null;
        }

        foreach (var part in field.Split(','))
        {
            var item = part;
            if (item.Length == 0)
            {
                return $"{name}: '{field}' has an empty list item.";
            }

            if (specials.Contains('L', StringComparison.Ordinal) && name == "day-of-month" && item is "L" or "LW")
            {
                continue;
            }

            if (specials.Contains('W', StringComparison.Ordinal) && item.EndsWith('W'))
            {
                item = item[..^1];
            }

            if (specials.Contains('#', StringComparison.Ordinal) && item.Split('#') is [var day, var nth])
            {
                if (!int.TryParse(nth, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 5)
                {
                    return $"{name}: in '{item}' the week after # must be 1 to 5.";
                }

                item = day;
            }

            if (specials.Contains('L', StringComparison.Ordinal) && name == "day-of-week" && item.Length > 1 && item.EndsWith('L'))
            {
                item = item[..^1];
            }
            else if (name == "day-of-week" && item == "L")
            {
                continue;
            }

            var (range, step) = item.Split('/') is [var r, var st] ? (r, st) : (item, null);
            if (step is not null && (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 1))
            {
                return $"{name}: the step in '{item}' must be a whole number of at least 1.";
            }

            foreach (var end in range == "*" ? Array.Empty<string>() : range.Split('-'))
            {
                if (Value(end, names, min) is not { } value)
                {
                    return $"{name}: '{end}' is not a number{(names is null ? "" : " or a name")}{(names is null ? "" : $" ({names[0]}–{names[^1]})")}.";
                }

                if (value < min || value > max)
                {
                    return $"{name}: {end} is not between {min} and {max}.";
                }
            }

            if (range.Split('-') is { Length: > 2 })
            {
                return $"{name}: '{range}' is not a range.";
            }
        }

        return null;
    }

    private static int? Value(string text, string[]? names, int min) =>
        names is not null && Array.IndexOf(names, text.ToUpperInvariant()) is >= 0 and var index ? index + min
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : null;

    /// <summary>Every value a plain field (lists, ranges, steps) selects.</summary>
    private static IEnumerable<int> Values(string field, int min, int max, string[]? names)
    {
        foreach (var part in field.Split(','))
        {
            var (range, step) = part.Split('/') is [var r, var s] ? (r, int.Parse(s, CultureInfo.InvariantCulture)) : (part, 1);
            var (from, to) = range == "*" ? (min, max)
                : range.Split('-') is [var a, var b] ? (Value(a, names, min)!.Value, Value(b, names, min)!.Value)
                : (Value(range, names, min)!.Value, part.Contains('/', StringComparison.Ordinal) ? max : Value(range, names, min)!.Value);
            for (var v = from; v <= to; v += step)
            {
                yield return v;
            }
        }
    }

    /// <summary>AWS numbers days 1 (Sunday) to 7 (Saturday); Cronos 0 to 6. Names and specials pass through.</summary>
    private static string ToCronosDays(string dow)
    {
        if (dow is "?" or "*")
        {
            return dow;
        }

        var text = new StringBuilder();
        var number = new StringBuilder();
        // A number after '#' or '/' is a count, not a day.
        var counting = false;
        foreach (var ch in dow + "\0")
        {
            if (char.IsAsciiDigit(ch))
            {
                number.Append(ch);
                continue;
            }

            if (number.Length > 0)
            {
                var value = int.Parse(number.ToString(), CultureInfo.InvariantCulture);
                text.Append(counting ? value : value - 1);
                number.Clear();
            }

            if (ch == '\0')
            {
                break;
            }

            counting = ch is '#' or '/';
            text.Append(ch == 'L' && (text.Length == 0 || text[^1] == ',') ? "SAT" : ch.ToString());
        }

        return text.ToString();
    }
}
