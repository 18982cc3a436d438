using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchOps.Schedules;

/// <summary>
/// An EventBridge Scheduler expression: <c>at(yyyy-mm-ddThh:mm:ss)</c>, <c>rate(value unit)</c> or six-field
/// <c>cron(minutes hours day-of-month month day-of-week year)</c>, evaluated in the schedule's time zone the way the
/// service documents it: a cron time that a clock change skips does not run, one it repeats runs once (the first time),
/// and a rate in days is 24 hours of elapsed time.
/// </summary>
public abstract partial record ScheduleExpression
{
    private protected ScheduleExpression(string text) => Text = text;

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    /// <param name="start">The schedule's StartDate; a rate counts from it (or, without one, from when the schedule was created).</param>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start = null)
    {
        foreach (var occurrence in Occurrences(after, zone, start))
        {
            if (occurrence.Runs)
            {
                return occurrence.At;
            }
        }

        return null;
    }

    /// <summary>
    /// Occurrences after <paramref name="after"/> in order, including the local times a clock change skips (which do not
    /// run) so a preview can say so. Lazily evaluated: take what you need.
    /// </summary>
    public abstract IEnumerable<Occurrence> Occurrences(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start = null);

    /// <summary>What the expression means, in words ("every day at 05:00").</summary>
    public abstract string Describe();

    /// <summary>Parses an expression, or says what is wrong with it in the service's words plus the reason.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ScheduleExpression? expression, [NotNullWhen(false)] out string? error)
    {
        expression = null;
        var reason = Parse(text ?? "", out expression);
        error = reason is null ? null : $"{Invalid(text ?? "")} {reason}";
        return reason is null;
    }

    /// <summary>The service's own message for an expression it refuses (the same for every reason).</summary>
    public static string Invalid(string text) => $"Invalid Schedule Expression {text}.";

    public static ScheduleExpression Parse(string text) =>
        TryParse(text, out var expression, out var error) ? expression : throw new FormatException(error);

    private static string? Parse(string text, out ScheduleExpression? expression)
    {
        expression = null;
        if (text.Length == 0)
        {
            return "It is empty: use at(…), rate(…) or cron(…).";
        }

        if (text.Trim() != text)
        {
            return "Remove the spaces before or after it.";
        }

        if (text.StartsWith("at(", StringComparison.Ordinal))
        {
            return ParseAt(text, out expression);
        }

        if (text.StartsWith("rate(", StringComparison.Ordinal))
        {
            return ParseRate(text, out expression);
        }

        if (text.StartsWith("cron(", StringComparison.Ordinal))
        {
            return CronSchedule.TryCreate(text, out expression);
        }

        return "It must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(minutes hours day-of-month month day-of-week year).";
    }

    private static string? ParseAt(string text, out ScheduleExpression? expression)
    {
        expression = null;
        var match = AtPattern().Match(text);
        if (!match.Success)
        {
            return "at() takes a date and time as yyyy-mm-ddThh:mm:ss, without a zone or offset: the schedule's time zone applies.";
        }

        if (!DateTime.TryParseExact(match.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return $"{match.Groups[1].Value} is not a date and time that exists.";
        }

        expression = new AtSchedule(text, local);
        return null;
    }

    private static string? ParseRate(string text, out ScheduleExpression? expression)
    {
        expression = null;
        var match = RatePattern().Match(text);
        if (!match.Success)
        {
            return "rate() takes a positive whole number and a unit, one space apart: rate(5 minutes), rate(1 hour), rate(7 days).";
        }

        if (!int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            return "The value must be a whole number of at least 1.";
        }

        var unit = match.Groups[2].Value;
        var singular = unit.TrimEnd('s');
        if (singular is not ("minute" or "hour" or "day") || unit.Length - singular.Length > 1)
        {
            return $"'{unit}' is not a unit: use minutes, hours or days.";
        }

        if ((value == 1) == unit.EndsWith('s'))
        {
            return value == 1 ? $"Use the singular for 1: rate(1 {singular})." : $"Use the plural for {value}: rate({value} {singular}s).";
        }

        var step = singular switch
        {
            "minute" => TimeSpan.FromMinutes(value),
            "hour" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
        expression = new RateSchedule(text, value, singular, step);
        return null;
    }

    /// <summary>The instant a local time in <paramref name="zone"/> stands for: null when a clock change skips it, the first when it repeats it.</summary>
    internal static DateTimeOffset? Instant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            return null;
        }

        if (zone.IsAmbiguousTime(local))
        {
            // The larger offset is the earlier instant: the first time the wall clock shows this time.
            return new DateTimeOffset(local, zone.GetAmbiguousTimeOffsets(local).Max());
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    [GeneratedRegex(@"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$", RegexOptions.CultureInvariant)]
    private static partial Regex AtPattern();

    [GeneratedRegex(@"^rate\(([0-9]+) ([a-z]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex RatePattern();
}

/// <summary>One time an expression comes due.</summary>
/// <param name="Local">The wall-clock time in the schedule's zone.</param>
/// <param name="At">The instant it runs; null when a clock change skipped <paramref name="Local"/>.</param>
/// <param name="Repeated">The local time happened twice (clocks went back): it runs once, the first time.</param>
public sealed record Occurrence(DateTime Local, DateTimeOffset? At, bool Repeated = false)
{
    public bool Runs => At is not null;
}

/// <summary>A one-time schedule at a local date and time in the schedule's zone.</summary>
public sealed record AtSchedule : ScheduleExpression
{
    internal AtSchedule(string text, DateTime local) : base(text) => Local = local;

    public DateTime Local { get; }

    public override IEnumerable<Occurrence> Occurrences(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var at = Instant(Local, zone);
        if (at is null || at > after)
        {
            yield return new Occurrence(Local, at, zone.IsAmbiguousTime(Local));
        }
    }

    public override string Describe() => $"once, at {Local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}";
}

/// <summary>Every <see cref="Step"/> of elapsed time from the schedule's start (a day is 24 hours, whatever the clocks do).</summary>
public sealed record RateSchedule : ScheduleExpression
{
    internal RateSchedule(string text, int value, string unit, TimeSpan step) : base(text) => (Value, Unit, Step) = (value, unit, step);

    public int Value { get; }
    public string Unit { get; }
    public TimeSpan Step { get; }

    public override IEnumerable<Occurrence> Occurrences(DateTimeOffset after, TimeZoneInfo zone, DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var origin = start ?? after;
        var next = after < origin ? origin : origin + (Step * (Math.Floor((after - origin) / Step) + 1));
        while (true)
        {
            yield return new Occurrence(TimeZoneInfo.ConvertTime(next, zone).DateTime, next);
            next += Step;
        }
    }

    public override string Describe() => Value == 1 ? $"every {Unit}" : $"every {Value} {Unit}s";
}
