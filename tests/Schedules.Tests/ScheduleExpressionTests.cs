using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchOps.TestSupport;

namespace BatchOps.Schedules.Tests;

/// <summary>
/// Expressions against EventBridge Scheduler's recorded validation (../shared/aws/recorded/scheduler) and fire times
/// checked by hand across the 2026 clock changes in America/New_York (08 Mar, 01 Nov) and Europe/London (29 Mar, 25 Oct).
/// </summary>
public sealed partial class ScheduleExpressionTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static TheoryData<string, bool> Recorded()
    {
        var snapshot = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.SharedAws, "recorded", "scheduler", "test_scheduler.snapshot.json")))!.AsObject();
        var cases = new TheoryData<string, bool>();
        foreach (var (name, _) in snapshot)
        {
            if (RecordedCase().Match(name) is { Success: true } match)
            {
                cases.Add(match.Groups[2].Value, match.Groups[1].Value == "valid_cron_expressions");
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Every_recorded_expression_is_accepted_or_refused_as_AWS_did_with_its_message_first(string expression, bool valid)
    {
        var parsed = ScheduleExpression.TryParse(expression, out _, out var error);

        Assert.Equal(valid, parsed);
        if (!valid)
        {
            // AWS's message, then what exactly is wrong.
            Assert.StartsWith($"Invalid Schedule Expression {expression}. ", error, StringComparison.Ordinal);
            Assert.True(error!.Length > $"Invalid Schedule Expression {expression}. ".Length + 10, error);
        }
    }

    [Fact]
    public void The_recorded_cases_are_all_there()
    {
        var cases = Recorded().Select(c => ((string)c[0], (bool)c[1])).ToList();

        Assert.Equal(17, cases.Count(c => !c.Item2));
        Assert.Equal(6, cases.Count(c => c.Item2));
    }

    [Theory]
    [InlineData("cron(71 8 1 * ? *)", "minutes: 71 is not between 0 and 59.")]
    [InlineData("cron(0 1 * * * *)", "Exactly one of day-of-month and day-of-week must be '?'")]
    [InlineData("cron(7 20 * * NOT *)", "Exactly one of day-of-month and day-of-week must be '?'")]
    [InlineData("cron(7 20 ? * NOT *)", "day-of-week: 'NOT' is not a number or a name (SUN–SAT).")]
    [InlineData("cron(0 5 ? * 8 *)", "day-of-week: 8 is not between 1 and 7.")]
    [InlineData("cron(0 5 * * ? 2300)", "year: 2300 is not between 1970 and 2199.")]
    [InlineData("rate(1 minutes)", "Use the singular for 1: rate(1 minute).")]
    [InlineData("rate(10 seconds)", "'seconds' is not a unit: use minutes, hours or days.")]
    [InlineData("at(2021-12-31T23:59:59Z)", "without a zone or offset")]
    [InlineData("at(2026-02-30T05:00:00)", "2026-02-30T05:00:00 is not a date and time that exists.")]
    public void A_refusal_says_what_is_wrong(string expression, string reason)
    {
        Assert.False(ScheduleExpression.TryParse(expression, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_daily_time_that_the_spring_change_skips_does_not_run_that_day()
    {
        var daily = ScheduleExpression.Parse("cron(30 2 * * ? *)");

        var occurrences = daily.Occurrences(Utc("2026-03-07T00:00:00Z"), NewYork).Take(3).ToList();

        Assert.Equal(Utc("2026-03-07T07:30:00Z"), occurrences[0].At);
        Assert.Equal((new DateTime(2026, 3, 8, 2, 30, 0), (DateTimeOffset?)null), (occurrences[1].Local, occurrences[1].At));
        Assert.Equal(Utc("2026-03-09T06:30:00Z"), occurrences[2].At);
        Assert.Equal(Utc("2026-03-09T06:30:00Z"), daily.Next(Utc("2026-03-07T08:00:00Z"), NewYork));
    }

    [Fact]
    public void A_time_the_autumn_change_repeats_runs_once_at_its_first_pass()
    {
        var daily = ScheduleExpression.Parse("cron(30 1 * * ? *)");

        var fires = daily.Occurrences(Utc("2026-11-01T00:00:00Z"), NewYork).Take(2).ToList();

        Assert.Equal((Utc("2026-11-01T05:30:00Z"), true), (fires[0].At!.Value, fires[0].Repeated));
        Assert.Equal((Utc("2026-11-02T06:30:00Z"), false), (fires[1].At!.Value, fires[1].Repeated));
        // Asked from inside the second pass, the repeated time has been.
        Assert.Equal(Utc("2026-11-02T06:30:00Z"), daily.Next(Utc("2026-11-01T06:10:00Z"), NewYork));
    }

    [Fact]
    public void Every_half_hour_in_London_loses_the_skipped_hour_and_runs_the_repeated_one_once()
    {
        var expression = ScheduleExpression.Parse("cron(0/30 1 ? * SUN *)");

        var spring = expression.Occurrences(Utc("2026-03-28T00:00:00Z"), London).Take(2).ToList();
        var autumn = expression.Occurrences(Utc("2026-10-24T00:00:00Z"), London).Where(o => o.Runs).Take(3).Select(o => o.At).ToList();

        Assert.All(spring, o => Assert.False(o.Runs));
        Assert.Equal([Utc("2026-10-25T00:00:00Z"), Utc("2026-10-25T00:30:00Z"), Utc("2026-11-01T01:00:00Z")], autumn);
    }

    [Fact]
    public void A_rate_in_days_is_24_hours_of_elapsed_time_across_a_clock_change()
    {
        var rate = ScheduleExpression.Parse("rate(1 day)");
        var start = Utc("2026-03-07T17:00:00Z"); // 12:00 EST

        var fires = rate.Occurrences(start.AddSeconds(-1), NewYork, start).Take(2).ToList();

        Assert.Equal([start, start.AddDays(1)], fires.Select(f => f.At!.Value));
        Assert.Equal(new DateTime(2026, 3, 8, 13, 0, 0), fires[1].Local);
    }

    [Fact]
    public void The_year_field_limits_the_runs_and_they_end_with_it()
    {
        var expression = ScheduleExpression.Parse("cron(0 5 1 1 ? 2027,2029)");

        var fires = expression.Occurrences(Utc("2026-06-01T00:00:00Z"), TimeZoneInfo.Utc).ToList();

        Assert.Equal([Utc("2027-01-01T05:00:00Z"), Utc("2029-01-01T05:00:00Z")], fires.Select(f => f.At!.Value));
    }

    [Theory]
    [InlineData("cron(0 9 L * ? *)", "2026-02-01T00:00:00Z", "2026-02-28T09:00:00Z")]
    [InlineData("cron(0 9 ? * 6#3 *)", "2026-12-01T00:00:00Z", "2026-12-18T09:00:00Z")]
    [InlineData("cron(0 9 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T09:00:00Z")]
    [InlineData("cron(0 9 ? * 6L *)", "2026-07-01T00:00:00Z", "2026-07-31T09:00:00Z")]
    [InlineData("cron(0 18 ? * 2-6 *)", "2026-11-21T00:00:00Z", "2026-11-23T18:00:00Z")]
    [InlineData("cron(0 18 ? * MON-FRI *)", "2026-11-21T00:00:00Z", "2026-11-23T18:00:00Z")]
    [InlineData("cron(0 0 ? * 1 *)", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z")]
    [InlineData("cron(1-31/30 1-1 ? * 1,7 *)", "2026-11-21T00:00:00Z", "2026-11-21T01:01:00Z")]
    public void Days_follow_AWS_numbering_and_its_L_W_and_hash(string expression, string after, string expected)
    {
        Assert.Equal(Utc(expected), ScheduleExpression.Parse(expression).Next(Utc(after), TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_one_time_schedule_runs_once_in_its_zone()
    {
        var once = ScheduleExpression.Parse("at(2026-12-01T09:00:00)");

        Assert.Equal(Utc("2026-12-01T00:00:00Z"), once.Next(Utc("2026-11-23T00:00:00Z"), TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")));
        Assert.Null(once.Next(Utc("2026-12-02T00:00:00Z"), TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("cron(0 5 * * ? *)", "every day at 05:00")]
    [InlineData("cron(30 6 ? * MON-FRI *)", "on MON–FRI at 06:30")]
    [InlineData("cron(0 9 L * ? *)", "on the last day of the month at 09:00")]
    [InlineData("cron(*/15 * * * ? *)", "every day, every 15 minutes")]
    [InlineData("rate(5 minutes)", "every 5 minutes")]
    [InlineData("rate(1 hour)", "every hour")]
    [InlineData("at(2026-12-01T09:00:00)", "once, at 2026-12-01 09:00")]
    public void An_expression_reads_as_words(string expression, string words)
    {
        Assert.Equal(words, ScheduleExpression.Parse(expression).Describe());
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [GeneratedRegex(@"::tests?_create_schedule_with_(valid_cron_expressions|invalid_schedule_expression)\[(.*)\]$")]
    private static partial Regex RecordedCase();
}
