using BatchOps.Contracts.StopReasons;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Overview;
using BatchOps.Dashboard.Features.StoppedTasks;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Dashboard.Tests.ReadModel;

/// <summary>The pages' queries on both providers, each against a real migrated database.</summary>
public sealed class ReadModelQueryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    public static TheoryData<ReadModelProvider> Providers => [ReadModelProvider.Sqlite, ReadModelProvider.PostgreSQL];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Filters_combine_and_status_counts_ignore_only_the_status_filter(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var queries = new ExecutionQueries(database.Contexts, _time);

        var page = await queries.GetPageAsync(new ExecutionsFilter { Workflow = "batch-job", Status = "FAILED" }, CancellationToken.None);

        Assert.Equal(["IMPORT-2", "import-1"], page.Rows.Select(r => r.Name));
        Assert.Equal(2, page.Total);
        Assert.Equal(2, page.CountsByStatus["FAILED"]);
        Assert.Equal(2, page.CountsByStatus["SUCCEEDED"]);
        Assert.Equal(1, page.CountsByStatus["RUNNING"]);
        Assert.Equal(1, page.CountsByStatus[ExecutionsFilter.Redrivable]);
        Assert.False(page.CountsByStatus.ContainsKey("TIMED_OUT"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Redrivable_means_failed_timed_out_or_aborted_and_still_redrivable(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);

        var page = await new ExecutionQueries(database.Contexts, _time).GetPageAsync(new ExecutionsFilter { Status = ExecutionsFilter.Redrivable }, CancellationToken.None);

        Assert.Equal(["settle-1", "import-1"], page.Rows.Select(r => r.Name));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Name_search_is_case_insensitive_and_treats_percent_and_underscore_literally(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var queries = new ExecutionQueries(database.Contexts, _time);

        Assert.Equal(["IMPORT-2", "import-1"], (await queries.GetPageAsync(new ExecutionsFilter { Search = "import" }, CancellationToken.None)).Rows.Select(r => r.Name));
        Assert.Equal(["100%_done"], (await queries.GetPageAsync(new ExecutionsFilter { Search = "%_" }, CancellationToken.None)).Rows.Select(r => r.Name));
        Assert.Empty((await queries.GetPageAsync(new ExecutionsFilter { Search = "_x" }, CancellationToken.None)).Rows);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_name_search_matching_more_than_the_cap_says_so_and_still_lists_its_newest_matches(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);
        // Two "import" names in the seed; a cap of one makes that search a common term.
        var queries = new ExecutionQueries(database.Contexts, _time, searchCountCap: 1);

        var common = await queries.GetPageAsync(new ExecutionsFilter { Search = "import" }, CancellationToken.None);
        var commonFailed = await queries.GetPageAsync(new ExecutionsFilter { Search = "IMPORT", Status = "FAILED", Workflow = "batch-job" }, CancellationToken.None);
        var rare = await queries.GetPageAsync(new ExecutionsFilter { Search = "%_" }, CancellationToken.None);

        Assert.True(common.Capped);
        Assert.Equal((1, 1), (common.Total, common.PageCount));
        Assert.Empty(common.CountsByStatus);
        // The same rows, in the same order, as the exact search gives.
        Assert.Equal(["IMPORT-2", "import-1"], common.Rows.Select(r => r.Name));
        Assert.Equal(["IMPORT-2", "import-1"], commonFailed.Rows.Select(r => r.Name));
        Assert.False(rare.Capped);
        Assert.Equal(1, rare.Total);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Time_range_and_reason_class_filter_on_start_date_and_last_failure(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var queries = new ExecutionQueries(database.Contexts, _time);

        var lastHour = await queries.GetPageAsync(new ExecutionsFilter { Range = "1h" }, CancellationToken.None);
        var between = await queries.GetPageAsync(new ExecutionsFilter { From = Now.AddHours(-30), To = Now.AddHours(-2) }, CancellationToken.None);
        var oom = await queries.GetPageAsync(new ExecutionsFilter { Reason = StopReasonClass.OutOfMemory }, CancellationToken.None);

        Assert.Equal(["100%_done", "report-2"], lastHour.Rows.Select(r => r.Name));
        Assert.Equal(["import-1", "report-1"], between.Rows.Select(r => r.Name));
        Assert.Equal(["IMPORT-2"], oom.Rows.Select(r => r.Name));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Sorting_and_paging_are_stable_and_a_page_past_the_end_shows_the_last(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var queries = new ExecutionQueries(database.Contexts, _time);

        var byName = await queries.GetPageAsync(new ExecutionsFilter { Sort = "name", Descending = false, PageSize = 25 }, CancellationToken.None);
        var page2 = await queries.GetPageAsync(new ExecutionsFilter { PageSize = 25, Page = 2 }, CancellationToken.None);
        var beyond = await queries.GetPageAsync(new ExecutionsFilter { PageSize = 25, Page = 99 }, CancellationToken.None);

        Assert.Equal("100%_done", byName.Rows[0].Name);
        Assert.Equal(30, byName.Total);
        Assert.Equal(2, byName.PageCount);
        Assert.Equal(5, page2.Rows.Count);
        Assert.Equal(2, beyond.Page);
        Assert.Equal(page2.Rows.Select(r => r.Arn), beyond.Rows.Select(r => r.Arn));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Stopped_tasks_filter_by_reason_exit_code_family_and_time_and_link_to_their_execution(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var queries = new StoppedTaskQueries(database.Contexts, _time);

        var exit2 = await queries.GetPageAsync(new StoppedTasksFilter { ExitCode = 2 }, CancellationToken.None);
        var pulls = await queries.GetPageAsync(new StoppedTasksFilter { Reason = StopReasonClass.ImagePull, Family = "batchops-worker", Range = "24h" }, CancellationToken.None);

        var row = Assert.Single(exit2.Rows);
        Assert.Equal(("import-1", "Run worker", 2), (row.ExecutionName, row.StateName, row.Attempt!.Value));
        Assert.Equal("task/c/1", Assert.Single(pulls.Rows).TaskArn[^8..]);
        Assert.Equal(["batchops-worker", "other"], exit2.Families);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_overview_counts_failures_of_the_last_day_by_workflow_and_reason(ReadModelProvider provider)
    {
        await using var database = await SeededAsync(provider);

        var overview = await new OverviewQueries(database.Contexts, _time).GetAsync(CancellationToken.None);

        Assert.Contains(new FailureCount("batch-job", StopReasonClass.OutOfMemory, 1), overview.Failures);
        Assert.Contains(new FailureCount("batch-job", StopReasonClass.ApplicationExit, 1), overview.Failures);
        Assert.Equal(["backfill"], overview.Running.Select(r => r.Name));
        Assert.Equal("settle-1", Assert.Single(overview.Redrives).ExecutionName);
    }

    private async Task<ReadModelDatabase> SeededAsync(ReadModelProvider provider)
    {
        var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        await using var db = await database.Contexts.CreateDbContextAsync();
        ExecutionRecord Execution(string name, string workflow, string status, double hoursAgo, string? redrive = null, StopReasonClass? reason = null) => new()
        {
            Arn = $"arn:aws:states:us-east-1:000000000000:execution:{workflow}:{name}",
            StateMachineArn = $"arn:aws:states:us-east-1:000000000000:stateMachine:{workflow}",
            StateMachineName = workflow,
            Name = name,
            Status = status,
            StartDate = Now.AddHours(-hoursAgo),
            StopDate = status == "RUNNING" ? null : Now.AddHours(-hoursAgo).AddMinutes(3),
            RedriveStatus = redrive,
            ReasonClass = reason,
        };
        db.Executions.AddRange(
            Execution("report-1", "batch-job", "SUCCEEDED", 3),
            Execution("report-2", "batch-job", "SUCCEEDED", 0.5),
            Execution("import-1", "batch-job", "FAILED", 2.5, "REDRIVABLE", StopReasonClass.ApplicationExit),
            Execution("import-2", "batch-job", "FAILED", 1.5, "NOT_REDRIVABLE", StopReasonClass.OutOfMemory),
            Execution("backfill", "batch-job", "RUNNING", 40),
            Execution("settle-1", "callback-job", "FAILED", 1.2, "REDRIVABLE", StopReasonClass.ApplicationExit),
            Execution("100%_done", "callback-job", "SUCCEEDED", 0.2));
        db.Executions.AddRange(Enumerable.Range(1, 23).Select(i => Execution($"old-{i:D2}", "nightly-batch", "SUCCEEDED", 48 + i)));
        // Upper-case name to show the search ignores case.
        db.Executions.Local.Single(e => e.Name == "import-2").Name = "IMPORT-2";
        db.TaskRuns.Add(new TaskRunRecord
        {
            ExecutionArn = "arn:aws:states:us-east-1:000000000000:execution:batch-job:import-1",
            StateName = "Run worker",
            Attempt = 2,
            ResourceType = "ecs",
            Resource = "runTask.sync",
            ScheduledAt = Now.AddHours(-2.5),
            Outcome = TaskRunOutcome.Failed,
            TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/c/2",
            ExitCode = 2,
        });
        db.Redrives.Add(new RedriveRecord { ExecutionArn = "arn:aws:states:us-east-1:000000000000:execution:callback-job:settle-1", RedriveCount = 1, RedrivenAt = Now.AddHours(-1) });
        StoppedTaskRecord Task(int id, string family, StopReasonClass reason, int? exit, double hoursAgo) => new()
        {
            TaskArn = $"arn:aws:ecs:us-east-1:000000000000:task/c/{id}",
            ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/c",
            Family = family,
            ExitCode = exit,
            ReasonClass = reason,
            StoppedAt = Now.AddHours(-hoursAgo),
            CapturedAt = Now,
        };
        db.StoppedTasks.AddRange(
            Task(1, "batchops-worker", StopReasonClass.ImagePull, null, 2.6),
            Task(2, "batchops-worker", StopReasonClass.ApplicationExit, 2, 2.4),
            Task(3, "other", StopReasonClass.ImagePull, null, 30));
        await db.SaveChangesAsync();
        return database;
    }
}
