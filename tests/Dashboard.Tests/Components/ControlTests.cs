using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Components.Controls;
using BatchOps.Dashboard.Features.Shared;
using Bunit;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The small controls every page uses.</summary>
public sealed class ControlTests : ComponentTest
{
    [Theory]
    [InlineData("SUCCEEDED", "SUCCEEDED")]
    [InlineData("FAILED", "FAILED")]
    [InlineData("TIMED_OUT", "TIMED OUT")]
    [InlineData("PENDING_REDRIVE", "PENDING REDRIVE")]
    [InlineData("Running", "Running")]
    public void A_status_is_shown_as_words_and_an_icon_not_by_colour_alone(string status, string text)
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, status));

        var element = chip.Find("[data-status]");
        Assert.Equal(status, element.GetAttribute("data-status"));
        Assert.Equal(text, element.TextContent.Trim());
        Assert.NotNull(chip.Find("svg"));
    }

    [Fact]
    public void A_reason_chip_says_the_class_whether_it_is_retried_and_explains_it()
    {
        var chip = RenderWithPopovers<ReasonChip>(p => p.Add(c => c.Reason, StopReasonClass.ImagePull).Add(c => c.Retryable, true));

        var element = chip.Find("[data-reason=ImagePull]");
        Assert.Equal("Image pull · retryable", element.TextContent.Trim());
        Assert.Equal(StopReasonTable.Explain(StopReasonClass.ImagePull), element.GetAttribute("title"));
    }

    [Fact]
    public void No_reason_renders_nothing()
    {
        var chip = RenderWithPopovers<ReasonChip>(p => p.Add(c => c.Reason, (StopReasonClass?)null));

        Assert.Empty(chip.Markup.Trim());
    }

    [Fact]
    public void A_time_shows_relative_with_the_absolute_in_its_title_in_the_chosen_zone()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var at = Clock.GetUtcNow().AddMinutes(-5);

        var relative = Render<TimeDisplay>(p => p.Add(c => c.Value, at).AddCascadingValue(new TimeSettings(tokyo, Utc: false)));
        var absolute = Render<TimeDisplay>(p => p.Add(c => c.Value, at).Add(c => c.Absolute, true).AddCascadingValue(new TimeSettings(tokyo, Utc: false)));

        Assert.Equal("5 min ago", relative.Find("span").TextContent);
        Assert.Equal("2026-11-21 14:55:00 (Asia/Tokyo)", relative.Find("span").GetAttribute("title"));
        Assert.Equal("2026-11-21 14:55:00", absolute.Find("span").TextContent);
    }

    [Fact]
    public void Json_from_aws_is_shown_as_a_tree_of_text_never_as_markup()
    {
        var viewer = Render<JsonViewer>(p => p.Add(c => c.Title, "Input").Add(c => c.Json, """{"commands":["<script>alert(1)</script>"],"n":2}"""));

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", viewer.Markup, StringComparison.Ordinal);
        Assert.Empty(viewer.FindAll("script"));
        Assert.Equal(2, viewer.FindAll(".json-key").Count(k => k.TextContent is "\"commands\"" or "\"n\""));
        Assert.Equal("2", viewer.Find(".json-number").TextContent);
    }

    [Fact]
    public void Text_that_is_not_json_is_shown_as_it_is()
    {
        var viewer = Render<JsonViewer>(p => p.Add(c => c.Title, "Cause").Add(c => c.Json, "upstream returned <b>503</b>"));

        Assert.Equal("upstream returned <b>503</b>", viewer.Find("pre").TextContent);
        Assert.Empty(viewer.FindAll("b"));
    }

    [Fact]
    public void A_sort_header_links_to_the_sorted_list_and_tells_assistive_technology_the_order()
    {
        var active = Render<SortHeader>(p => p.Add(c => c.Label, "Name").Add(c => c.Key, "name").Add(c => c.CurrentSort, "name").Add(c => c.Descending, false).Add(c => c.Href, "/executions?sort=name&dir=asc"));
        var idle = Render<SortHeader>(p => p.Add(c => c.Label, "Workflow").Add(c => c.Key, "workflow").Add(c => c.CurrentSort, "name").Add(c => c.Href, "/executions?sort=workflow"));

        Assert.Equal("ascending", active.Find("th").GetAttribute("aria-sort"));
        Assert.Equal("/executions?sort=name&dir=asc", active.Find("a").GetAttribute("href"));
        Assert.Contains("(sorted ascending)", active.Find("a").TextContent, StringComparison.Ordinal);
        Assert.Equal("none", idle.Find("th").GetAttribute("aria-sort"));
    }

    [Fact]
    public void The_page_navigator_goes_to_the_page_and_the_size_chosen()
    {
        var navigator = RenderWithPopovers<PageNavigator>(p => p
            .Add(c => c.Page, 1).Add(c => c.PageCount, 3).Add(c => c.PageHref, n => $"/executions?page={n}")
            .Add(c => c.PageSize, 50).Add(c => c.Sizes, [25, 50, 100]).Add(c => c.SizeHref, s => $"/executions?size={s}"));

        navigator.Find("button[aria-label='Page 2']").Click();

        Assert.EndsWith("/executions?page=2", Navigation.Uri, StringComparison.Ordinal);
        Assert.Equal("Page 1 of 3", navigator.Find("[data-testid=page-of]").TextContent);
    }
}
