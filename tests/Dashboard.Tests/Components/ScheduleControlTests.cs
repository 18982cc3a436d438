using BatchOps.Dashboard.Features.Schedules;
using Bunit;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The schedule pages' pieces: the fire-time preview on the dashboard's clock, and the list's URL filter.</summary>
public sealed class ScheduleControlTests : ComponentTest
{
    [Fact]
    public void The_preview_marks_a_time_the_spring_change_skips_and_one_the_autumn_change_repeats()
    {
        // 2027's changes in New York: clocks go forward on 14 March, back on 7 November.
        Clock.SetUtcNow(new DateTimeOffset(2027, 3, 13, 0, 0, 0, TimeSpan.Zero));
        var spring = Render<FireTimesPreview>(p => p.Add(c => c.Expression, "cron(30 2 * * ? *)").Add(c => c.Timezone, "America/New_York").Add(c => c.Count, 3));

        Assert.Equal(["true", "false", "true"], spring.FindAll("[data-runs]").Select(li => li.GetAttribute("data-runs")));
        Assert.Contains("Sun 2027-03-14 02:30 America/New_York", spring.Find("[data-runs=false]").TextContent, StringComparison.Ordinal);
        Assert.Single(spring.FindAll("[data-testid=dst-skipped]"));

        Clock.SetUtcNow(new DateTimeOffset(2027, 11, 6, 12, 0, 0, TimeSpan.Zero));
        var autumn = Render<FireTimesPreview>(p => p.Add(c => c.Expression, "cron(30 1 * * ? *)").Add(c => c.Timezone, "America/New_York").Add(c => c.Count, 3));
        Assert.Single(autumn.FindAll("[data-testid=dst-repeated]"));
        Assert.Contains("Sun 2027-11-07 01:30", autumn.FindAll("li").Single(li => li.QuerySelector("[data-testid=dst-repeated]") is not null).TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_preview_says_what_is_wrong_with_an_expression_or_a_zone()
    {
        var bad = Render<FireTimesPreview>(p => p.Add(c => c.Expression, "cron(71 8 1 * ? *)").Add(c => c.Timezone, "UTC"));
        Assert.Equal("Invalid Schedule Expression cron(71 8 1 * ? *). minutes: 71 is not between 0 and 59.", bad.Find("[data-testid=fire-times-error]").TextContent);

        var zone = Render<FireTimesPreview>(p => p.Add(c => c.Expression, "rate(5 minutes)").Add(c => c.Timezone, "Mars/Olympus"));
        Assert.Equal("'Mars/Olympus' is not a time zone.", zone.Find("[data-testid=fire-times-error]").TextContent);
    }

    [Fact]
    public void The_list_filter_round_trips_through_the_url_and_reports_what_it_ignores()
    {
        var problems = new List<string>();
        var filter = SchedulesFilter.Parse(new Dictionary<string, string?> { ["group"] = "batchops-operator", ["state"] = "paused", ["q"] = "night", ["sort"] = "next", ["dir"] = "desc" }, problems);

        Assert.Equal(new SchedulesFilter { Group = "batchops-operator", Search = "night", Sort = "next", Descending = true }, filter);
        Assert.Equal(["State \"paused\" is not ENABLED or DISABLED; ignored."], problems);
        Assert.Equal("/schedules?group=batchops-operator&q=night&sort=next&dir=desc", BatchOps.Dashboard.Navigation.DashboardUrls.Schedules(filter));
    }
}
