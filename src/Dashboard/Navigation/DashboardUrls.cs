using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.StoppedTasks;
using Microsoft.AspNetCore.WebUtilities;

namespace BatchOps.Dashboard.Navigation;

/// <summary>Builds every URL the dashboard links to, so routes and query names live in one place.</summary>
public static class DashboardUrls
{
    public const string OverviewPath = "/";
    public const string ExecutionsPath = "/executions";
    public const string StoppedTasksPath = "/stopped-tasks";
    public const string SignInPath = "/signin";
    public const string SignedOutPath = "/signed-out";
    public const string SignInFailedPath = "/signin-failed";
    public const string SignOutPath = "/signout";
    public const string SandboxTaskLogsPath = "/sandbox/task-logs";
    public const string JobsPath = "/jobs";
    public const string ApiPath = "/api";
    public const string StartPath = "/start";
    public const string AuditPath = "/audit";
    public const string AuditCsvPath = "/audit.csv";
    public const string OperationsPath = "/operations";
    public const string SchedulesPath = "/schedules";
    public const string SyncHealthPath = "/sync";

    public static string Overview() => OverviewPath;

    public static string Executions(ExecutionsFilter? filter = null) =>
        filter is null ? ExecutionsPath : QueryHelpers.AddQueryString(ExecutionsPath, filter.ToQuery().Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));

    public static string Execution(string executionArn, string? section = null) =>
        $"{ExecutionsPath}/{Uri.EscapeDataString(executionArn)}" + (section is null ? "" : "#" + section);

    public static string StoppedTasks(StoppedTasksFilter? filter = null) =>
        filter is null ? StoppedTasksPath : QueryHelpers.AddQueryString(StoppedTasksPath, filter.ToQuery().Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));

    /// <summary>Signs in at the identity provider, then returns to <paramref name="returnUrl"/> (local paths only).</summary>
    public static string SignIn(string? returnUrl = null) => returnUrl is null ? SignInPath : QueryHelpers.AddQueryString(SignInPath, "returnUrl", returnUrl);

    /// <summary>Where a refused sign-in lands, with the handler's reason (shown as text, never markup).</summary>
    public static string SignInFailed(string reason) => QueryHelpers.AddQueryString(SignInFailedPath, "reason", reason.Length > 300 ? reason[..300] : reason);

    public static string Start(string? workflow = null) => workflow is null ? StartPath : QueryHelpers.AddQueryString(StartPath, "workflow", workflow);

    public static string Rerun(string executionArn) => Execution(executionArn) + "/rerun";

    public static string Schedules(Features.Schedules.SchedulesFilter? filter = null) => WithQuery(SchedulesPath, filter?.ToQuery());

    public static string Schedule(string group, string name) => $"{SchedulesPath}/{Uri.EscapeDataString(group)}/{Uri.EscapeDataString(name)}";

    public static string EditSchedule(string group, string name) => Schedule(group, name) + "/edit";

    /// <summary>The form for a new schedule, optionally prefilled from another (a copy of a CloudFormation schedule).</summary>
    public static string NewSchedule(string? copyGroup = null, string? copyName = null) =>
        copyGroup is null || copyName is null ? SchedulesPath + "/new" : QueryHelpers.AddQueryString(SchedulesPath + "/new", new Dictionary<string, string?> { ["copyGroup"] = copyGroup, ["copyName"] = copyName });

    public static string Operation(long id) => $"{OperationsPath}/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static string Audit(Features.Operations.AuditFilter? filter = null) => WithQuery(AuditPath, filter?.ToQuery());

    public static string AuditCsv(Features.Operations.AuditFilter? filter = null) => WithQuery(AuditCsvPath, filter?.ToQuery());

    private static string WithQuery(string path, IEnumerable<KeyValuePair<string, string>>? query) =>
        query is null ? path : QueryHelpers.AddQueryString(path, query.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));

    /// <summary>The worker's output for a task the in-process sandbox ran (sandbox mode's stand-in for CloudWatch Logs).</summary>
    public static string SandboxTaskLogs(string taskArn) => QueryHelpers.AddQueryString(SandboxTaskLogsPath, "task", taskArn);

    public static string AwsConsoleExecution(string region, string executionArn) =>
        $"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{Uri.EscapeDataString(executionArn)}";

    /// <summary>The ECS console's logs tab of a task (it links on to CloudWatch Logs with the right group and stream).</summary>
    public static string AwsConsoleTaskLogs(string region, string taskArn)
    {
        // arn:aws:ecs:region:account:task/cluster/id
        var parts = taskArn.Split('/');
        return parts.Length >= 3
            ? $"https://{region}.console.aws.amazon.com/ecs/v2/clusters/{Uri.EscapeDataString(parts[^2])}/tasks/{Uri.EscapeDataString(parts[^1])}/logs?region={region}"
            : $"https://{region}.console.aws.amazon.com/ecs/v2/clusters?region={region}";
    }

    /// <summary>Only local paths are followed after sign-in (no open redirects).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\')) ? returnUrl : OverviewPath;
}
