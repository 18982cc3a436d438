using BatchOps.Dashboard.Features.SyncHealth;
using BatchOps.Dashboard.Sync;
using Bunit;

namespace BatchOps.Dashboard.Tests.Components;

/// <summary>The sync-health page over a real read model: what the sync reads, failing sources first, with their errors.</summary>
public sealed class SyncHealthPageTests : ComponentTest
{
    // Nothing listens there: the page only reads the read model.
    public override Task InitializeAsync() => StartOperationServicesAsync(new Uri("http://127.0.0.1:9/"));

    [Fact]
    public async Task Failing_sources_come_first_with_their_error_and_the_rest_say_how_far_behind_they_are()
    {
        var status = OperationServices.Get<SyncStatusStore>();
        await status.RecordSuccessAsync("executions:arn:aws:states:us-east-1:123456789012:stateMachine:batch-job", CancellationToken.None);
        await status.RecordSuccessAsync("state-machines", CancellationToken.None);
        await status.RecordFailureAsync("executions:arn:aws:states:us-east-1:123456789012:stateMachine:nightly-batch", new InvalidOperationException("AccessDeniedException: not authorized to perform states:ListExecutions"), CancellationToken.None);

        var page = Render<SyncHealthPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=sync-sources] tbody tr").Count));
        var rows = page.FindAll("[data-testid=sync-sources] tbody tr");
        Assert.Contains("nightly-batch", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("failing (1 in a row)", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("not authorized to perform states:ListExecutions", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("batch-job", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("ok", rows[1].QuerySelector("[data-source]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("the account", rows[2].TextContent, StringComparison.Ordinal);
        Assert.StartsWith("1 of 3 sources failing", page.Find("[data-testid=sync-summary]").TextContent.Trim(), StringComparison.Ordinal);
    }
}
