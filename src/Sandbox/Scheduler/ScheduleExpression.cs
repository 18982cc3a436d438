using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchOps.Sandbox.Scheduler;

/// <summary>
/// EventBridge Scheduler expressions: <c>at(yyyy-mm-ddThh:mm:ss)</c>, <c>rate(n unit)</c> and six-field
/// <c>cron(minutes hours day-of-month month day-of-week year)</c>, evaluated in the schedule's time zone.
/// </summary>
public abstract partial record ScheduleExpression
{
    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    public abstract DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start);

    public static bool TryParse(string text, [NotNullWhen(true)] out ScheduleExpression? expression)
    {
        expression = null;
        if (AtPattern().Match(text) is { Success: true } at)
        {
            if (DateTime.TryParseExact(at.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                expression = new At(local);
            }

            return expression is not null;
        }

        if (RatePattern().Match(text) is { Success: true } rate)
        {
            if (!int.TryParse(rate.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                return false;
            }

            var unit = rate.Groups[2].Value;
            // AWS requires the singular for 1 and the plural otherwise: rate(1 minute), rate(5 minutes).
            if ((value == 1) == unit.EndsWith('s'))
            {
                return false;
            }

            var step = unit.TrimEnd('s') switch
            {
                "minute" => TimeSpan.FromMinutes(value),
                "hour" => TimeSpan.FromHours(value),
                "day" => TimeSpan.FromDays(value),
                _ => TimeSpan.Zero,
            };
            expression = step > TimeSpan.Zero ? new Rate(step) : null;
            return expression is not null;
        }

        if (CronPattern().Match(text) is { Success: true } cron)
        {
            expression = Cron.TryCreate(cron.Groups[1].Value.Split(' '));
            return expression is not null;
        }

        return false;
    }

    [GeneratedRegex(@"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")]
    private static partial Regex AtPattern();

    [GeneratedRegex(@"^rate\((\d+) (minutes?|hours?|days?)\)$")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^cron\(([^ ()]+( [^ ()]+){5})\)$")]
    private static partial Regex CronPattern();

    /// <summary>A one-time schedule, in the schedule's time zone.</summary>
    public sealed record At(DateTime Local) : ScheduleExpression
    {
        public override DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start)
        {
            var when = new DateTimeOffset(Local, zone.GetUtcOffset(Local));
            return when > after ? when : null;
        }
    }

    /// <summary>Every step, counted from the schedule's start (or creation).</summary>
    public sealed record Rate(TimeSpan Step) : ScheduleExpression
    {
        public override DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start)
        {
            var origin = start ?? after;
            if (after < origin)
            {
                return origin;
            }

            var periods = Math.Floor((after - origin) / Step) + 1;
            return origin + (Step * periods);
        }
    }

    /// <summary>Six-field cron: exactly one of day-of-month and day-of-week is '?'.</summary>
    public sealed record Cron(HashSet<int> Minutes, HashSet<int> Hours, HashSet<int>? DaysOfMonth, bool LastDayOfMonth, HashSet<int> Months, HashSet<int>? DaysOfWeek, HashSet<int>? Years) : ScheduleExpression
    {
        private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
        private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

        public static Cron? TryCreate(string[] f)
        {
            if ((f[2] == "?") == (f[4] == "?"))
            {
                return null;
            }

            var minutes = Field(f[0], 0, 59, null);
            var hours = Field(f[1], 0, 23, null);
            var lastDay = f[2] == "L";
            var dom = f[2] is "?" or "L" ? null : Field(f[2], 1, 31, null);
            var months = Field(f[3], 1, 12, MonthNames);
            var dow = f[4] == "?" ? null : Field(f[4], 1, 7, DayNames);
            var years = f[5] == "*" ? null : Field(f[5], 1970, 2199, null);
            if (minutes is null || hours is null || months is null || (f[2] is not ("?" or "L") && dom is null) || (f[4] != "?" && dow is null) || (f[5] != "*" && years is null))
            {
                return null;
            }

            return new Cron(minutes, hours, dom, lastDay, months, dow, years);
        }

        /// <summary>Lists, ranges, steps and names: "0-15/5", "MON-FRI", "2,4,6", "*".</summary>
        private static HashSet<int>? Field(string text, int min, int max, string[]? names)
        {
            var values = new HashSet<int>();
            foreach (var part in text.Split(','))
            {
                var (range, step) = part.Split('/') is [var r, var s] ? (r, s) : (part, "1");
                if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 1)
                {
                    return null;
                }

                int from, to;
                if (range == "*")
                {
                    (from, to) = (min, max);
                }
                else if (range.Split('-') is [var a, var b])
                {
                    if (Value(a, min, max, names) is not { } x || Value(b, min, max, names) is not { } y || x > y)
                    {
                        return null;
                    }

                    (from, to) = (x, y);
                }
                else if (Value(range, min, max, names) is { } single)
                {
                    (from, to) = (single, step == "1" && !part.Contains('/', StringComparison.Ordinal) ? single : max);
                }
                else
                {
                    return null;
                }

                for (var v = from; v <= to; v += every)
                {
                    values.Add(v);
                }
            }

            return values;
        }

        private static int? Value(string text, int min, int max, string[]? names)
        {
            if (names is not null && Array.IndexOf(names, text.ToUpperInvariant()) is >= 0 and var index)
            {
                return index + min;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;
        }

        public override DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start)
        {
            var from = after < (start ?? after) ? start!.Value : after;
            var local = TimeZoneInfo.ConvertTime(from, zone).DateTime;
            var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
            var limit = t.AddYears(5);
            while (t < limit)
            {
                if (!Months.Contains(t.Month) || (Years is not null && !Years.Contains(t.Year)) || !DayMatches(t))
                {
                    t = t.Date.AddDays(1);
                    continue;
                }

                if (!Hours.Contains(t.Hour))
                {
                    t = t.Date.AddHours(t.Hour + 1);
                    continue;
                }

                if (!Minutes.Contains(t.Minute) || zone.IsInvalidTime(t))
                {
                    t = t.AddMinutes(1);
                    continue;
                }

                return new DateTimeOffset(t, zone.GetUtcOffset(t));
            }

            return null;
        }

        private bool DayMatches(DateTime day) =>
            LastDayOfMonth ? day.Day == DateTime.DaysInMonth(day.Year, day.Month)
            : DaysOfMonth is not null ? DaysOfMonth.Contains(day.Day)
            : DaysOfWeek!.Contains((int)day.DayOfWeek + 1);
    }
}
