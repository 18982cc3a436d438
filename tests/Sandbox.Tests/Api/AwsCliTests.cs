using System.Diagnostics;
using System.Text.Json.Nodes;
using BatchOps.Sandbox.Hosting;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>
/// Debian's AWS CLI (the awscli package, installed when missing) drives the sandbox with nothing but an endpoint
/// override, as a person at a terminal would: Step Functions, ECS and Scheduler, answers parsed from its JSON.
/// (Debian 12's CLI 2.9 predates RedriveExecution and the AWS_ENDPOINT_URL variable: it takes --endpoint-url.)
/// </summary>
public sealed class AwsCliTests : CdkSandboxTests
{
    private const string Cli = "/usr/bin/aws";

    private async Task<JsonNode?> AwsAsync(params string[] arguments)
    {
        await EnsureCliAsync();
        using var process = ChildProcess.Start(
            Cli,
            ["--endpoint-url", Server.Endpoint.ToString().TrimEnd('/'), "--output", "json", .. arguments],
            new Dictionary<string, string?>
            {
                // Any keys (the sandbox accepts unknown ones), no profile or config of the machine's user.
                ["AWS_ACCESS_KEY_ID"] = SandboxCredentials.AdministratorAccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = SandboxCredentials.AdministratorSecretAccessKey,
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_CONFIG_FILE"] = "/dev/null",
                ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
                ["AWS_PAGER"] = string.Empty,
            });
        var exit = await process.WaitAsync(TimeSpan.FromSeconds(60));
        var output = string.Join('\n', process.StandardOutput);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} exited {exit}: {process.StandardError}");
        return output.Length == 0 ? null : JsonNode.Parse(output);
    }

    private static async Task EnsureCliAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "tests", "scripts", "ensure-debian-package.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script, Cli, "awscli"]) { RedirectStandardError = true })!;
        var stderr = await install.StandardError.ReadToEndAsync();
        await install.WaitForExitAsync();
        Assert.True(install.ExitCode == 0 && File.Exists(Cli), $"Debian's AWS CLI is needed for this test and could not be installed: {stderr}");
    }

    [Fact]
    public async Task The_aws_cli_lists_starts_follows_and_stops_executions_runs_tasks_and_manages_schedules()
    {
        var machines = (await AwsAsync("stepfunctions", "list-state-machines"))!["stateMachines"]!.AsArray().Select(m => (string)m!["name"]!).ToList();
        Assert.Superset(new HashSet<string> { "batch-job", "callback-job", "nightly-batch", "orchestrator" }, machines.ToHashSet());

        var started = await AwsAsync("stepfunctions", "start-execution", "--state-machine-arn", BatchJob, "--name", "from-the-cli", "--input", """{"commands":["echo","hello"],"environment":[]}""");
        var arn = (string)started!["executionArn"]!;
        await Server.StepFunctions.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var described = await AwsAsync("stepfunctions", "describe-execution", "--execution-arn", arn);
        var history = await AwsAsync("stepfunctions", "get-execution-history", "--execution-arn", arn);
        Assert.Equal("SUCCEEDED", (string)described!["status"]!);
        var types = history!["events"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
        Assert.Equal(("ExecutionStarted", "ExecutionSucceeded"), (types[0], types[^1]));
        Assert.Contains("TaskSubmitted", types);

        // The workflows' tasks run on the template's worker cluster.
        var cluster = (await AwsAsync("ecs", "list-clusters"))!["clusterArns"]!.AsArray().Select(c => (string)c!).Single(c => c.Contains("WorkerCluster", StringComparison.Ordinal));
        var sleeping = (string)(await AwsAsync("stepfunctions", "start-execution", "--state-machine-arn", BatchJob, "--name", "to-stop", "--input", """{"commands":["sleep","600"],"environment":[]}"""))!["executionArn"]!;
        await Eventually.WaitUntilAsync("the sleeping execution's task to run", async () => (await AwsAsync("ecs", "list-tasks", "--cluster", cluster))!["taskArns"]!.AsArray().Count, n => n > 0, TimeSpan.FromSeconds(60));
        await AwsAsync("stepfunctions", "stop-execution", "--execution-arn", sleeping, "--error", "Ops.Stopped", "--cause", "stopped from the CLI");
        var stopped = await AwsAsync("stepfunctions", "describe-execution", "--execution-arn", sleeping);
        Assert.Equal(("ABORTED", "Ops.Stopped"), ((string)stopped!["status"]!, (string)stopped["error"]!));

        var ran = await AwsAsync("ecs", "run-task", "--cluster", cluster, "--task-definition", "batchops-worker", "--launch-type", "FARGATE",
            "--overrides", """{"containerOverrides":[{"name":"worker","command":["echo","x"]}]}""");
        var task = (string)ran!["tasks"]![0]!["taskArn"]!;
        var done = await Eventually.WaitUntilAsync("the CLI's task to stop", async () => await AwsAsync("ecs", "describe-tasks", "--cluster", cluster, "--tasks", task), t => (string?)t!["tasks"]![0]!["lastStatus"] == "STOPPED", TimeSpan.FromSeconds(60), t => t!.ToJsonString());
        Assert.Equal(0, (int)done!["tasks"]![0]!["containers"]![0]!["exitCode"]!);
        Assert.Contains("batchops-worker", (await AwsAsync("ecs", "list-task-definition-families"))!["families"]!.AsArray().Select(f => (string)f!));

        await AwsAsync("scheduler", "create-schedule", "--name", "from-the-cli", "--schedule-expression", "rate(5 minutes)", "--flexible-time-window", "Mode=OFF",
            "--target", $"Arn={BatchJob},RoleArn=arn:aws:iam::000000000000:role/scheduler", "--state", "DISABLED");
        var schedule = await AwsAsync("scheduler", "get-schedule", "--name", "from-the-cli");
        Assert.Equal(("DISABLED", "rate(5 minutes)"), ((string)schedule!["State"]!, (string)schedule["ScheduleExpression"]!));
        Assert.Contains("nightly-batch", (await AwsAsync("scheduler", "list-schedules"))!["Schedules"]!.AsArray().Select(s => (string)s!["Name"]!));
    }

}
