using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.ReadModel;
using Microsoft.AspNetCore.WebUtilities;

namespace BatchOps.Dashboard.Tests.Pages;

public sealed class ExecutionsFilterTests
{
    private static Dictionary<string, string?> Query(string url) =>
        QueryHelpers.ParseQuery(new Uri("http://x" + url).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void A_filter_survives_a_round_trip_through_its_url()
    {
        var filter = new ExecutionsFilter
        {
            Workflow = "batch-job",
            Status = "REDRIVABLE",
            Search = "100% done & more",
            Reason = StopReasonClass.OutOfMemory,
            From = new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero),
            Sort = "name",
            Descending = false,
            Page = 3,
            PageSize = 100,
        };

        var url = DashboardUrls.Executions(filter);

        Assert.Equal(filter, ExecutionsFilter.Parse(Query(url)));
        Assert.StartsWith("/executions?workflow=batch-job&status=REDRIVABLE&q=100%25%20done%20%26%20more&reason=OutOfMemory&from=2026-11-21T05%3A00%3A00Z", url, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_filter_is_the_bare_page()
    {
        Assert.Equal("/executions", DashboardUrls.Executions(new ExecutionsFilter()));
        Assert.Equal(new ExecutionsFilter(), ExecutionsFilter.Parse(Query("/executions")));
    }

    [Theory]
    [InlineData("?status=EXPLODED", "Unknown status \"EXPLODED\" ignored")]
    [InlineData("?reason=Gremlins", "Unknown reason class \"Gremlins\" ignored.")]
    [InlineData("?range=5y", "Unknown time range \"5y\" ignored")]
    [InlineData("?from=yesterday", "\"from\" is not a date or time")]
    [InlineData("?sort=size", "Unknown sort \"size\" ignored.")]
    public void A_bad_value_in_a_pasted_link_is_dropped_with_a_message_and_the_rest_kept(string query, string message)
    {
        var problems = new List<string>();

        var filter = ExecutionsFilter.Parse(Query(query + "&workflow=batch-job"), problems);

        Assert.Contains(problems, p => p.StartsWith(message, StringComparison.Ordinal));
        Assert.Equal(new ExecutionsFilter { Workflow = "batch-job" }, filter);
    }

    [Theory]
    [InlineData("?page=0")]
    [InlineData("?page=-2")]
    [InlineData("?page=abc")]
    [InlineData("?size=7")]
    [InlineData("?size=100000")]
    public void Paging_values_out_of_range_fall_back_to_the_defaults(string query)
    {
        var filter = ExecutionsFilter.Parse(Query(query));

        Assert.Equal((1, ExecutionsFilter.DefaultPageSize), (filter.Page, filter.PageSize));
    }

    [Fact]
    public void An_oversize_search_is_cut_to_80_characters()
    {
        var filter = ExecutionsFilter.Parse(Query("?q=" + new string('x', 500)));

        Assert.Equal(80, filter.Search!.Length);
    }

    [Fact]
    public void Status_is_read_case_insensitively_and_a_time_range_preset_gives_a_window_ending_now()
    {
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

        var filter = ExecutionsFilter.Parse(Query("?status=failed&range=24h"));

        Assert.Equal("FAILED", filter.Status);
        Assert.Equal((now.AddHours(-24), (DateTimeOffset?)null), filter.Window(now));
    }

    [Fact]
    public void Stopped_task_filters_round_trip_and_reject_a_non_numeric_exit_code()
    {
        var filter = new StoppedTasksFilter { Reason = StopReasonClass.ImagePull, ExitCode = 137, Family = "batchops-worker", Range = "7d", Page = 2 };
        var problems = new List<string>();

        Assert.Equal(filter, StoppedTasksFilter.Parse(Query(DashboardUrls.StoppedTasks(filter))));
        Assert.Null(StoppedTasksFilter.Parse(Query("?exit=two"), problems).ExitCode);
        Assert.Equal("Exit code \"two\" is not a number; ignored.", Assert.Single(problems));
    }

    [Theory]
    [InlineData("/executions?status=FAILED", "/executions?status=FAILED")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData(null, "/")]
    public void Only_local_return_urls_are_followed_after_sign_in(string? returnUrl, string expected)
    {
        Assert.Equal(expected, DashboardUrls.SafeReturnUrl(returnUrl));
    }

    [Fact]
    public void Execution_links_escape_the_arn_and_console_links_point_at_the_region()
    {
        const string Arn = "arn:aws:states:eu-west-1:123456789012:execution:batch-job:nightly-2026-11-21";

        Assert.Equal("/executions/arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3Aexecution%3Abatch-job%3Anightly-2026-11-21", DashboardUrls.Execution(Arn));
        Assert.StartsWith("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn%3Aaws", DashboardUrls.AwsConsoleExecution("eu-west-1", Arn), StringComparison.Ordinal);
        Assert.Equal(
            "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/workers/tasks/0123abcd/logs?region=eu-west-1",
            DashboardUrls.AwsConsoleTaskLogs("eu-west-1", "arn:aws:ecs:eu-west-1:123456789012:task/workers/0123abcd"));
    }

    [Theory]
    [InlineData("arn:aws:states:us-east-1:000000000000:execution:batch-job:x", true)]
    [InlineData("arn:aws:states:us-east-1:000000000000:stateMachine:batch-job", false)]
    [InlineData("not-an-arn", false)]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:execution:a:b", false)]
    public void Only_execution_arns_are_looked_up(string arn, bool valid)
    {
        Assert.Equal(valid, ExecutionDetailViewModel.IsExecutionArn(arn));
    }
}
