using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Security;
using BatchOps.Dashboard.Navigation;
using BatchOps.Dashboard.Tests.Support;
using BatchOps.TestSupport;
using Microsoft.Data.Sqlite;

namespace BatchOps.Dashboard.Tests.Security;

/// <summary>
/// The real dashboard in sandbox mode runs the CDK callback-job (the real worker answers its task token) with a secret
/// in its input: neither the secret nor the token reaches the read model's file, the pages or the logs.
/// </summary>
public sealed class SecretsAtRestTests
{
    private const string Secret = "hunter2-c0ffee-5ecret";

    [Fact]
    public async Task A_secret_environment_value_and_a_task_token_never_reach_the_read_model_the_pages_or_the_logs()
    {
        var file = Path.Combine(Path.GetTempPath(), "batchops-tests", $"secrets-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var dashboard = await DashboardProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:SeedActivity"] = "false",
            ["ReadModel:SqlitePath"] = file,
            ["Sync:ExecutionsInterval"] = "00:00:05",
            ["Sync:HistoryInterval"] = "00:00:05",
        });
        try
        {
            var sfn = SandboxClients.Administrator(dashboard.RequiredSandboxUrl).StepFunctions;
            var machine = (await sfn.ListStateMachinesAsync(new())).StateMachines.Single(m => m.Name == "callback-job").StateMachineArn;
            var arn = (await sfn.StartExecutionAsync(new StartExecutionRequest
            {
                StateMachineArn = machine,
                Name = "reconcile-with-secret",
                Input = $$"""{"commands":["echo","reconciled"],"environment":[{"Name":"DB_PASSWORD","Value":"{{Secret}}"},{"Name":"LOG_LEVEL","Value":"info"}]}""",
            })).ExecutionArn;

            // AWS (the sandbox) has both: the secret in the input and the token the worker answered with.
            var events = await Eventually.WaitUntilAsync(
                "the callback job to end",
                async () => (await sfn.GetExecutionHistoryAsync(new GetExecutionHistoryRequest { ExecutionArn = arn, MaxResults = 1000 })).Events,
                e => e.Any(x => x.Type is "ExecutionSucceeded" or "ExecutionFailed"),
                TimeSpan.FromSeconds(90),
                e => string.Join(", ", e.Select(x => x.Type)));
            var token = events.Select(e => e.TaskScheduledEventDetails?.Parameters).OfType<string>().Select(TaskToken).OfType<string>().First();
            Assert.Contains(Secret, events[0].ExecutionStartedEventDetails!.Input, StringComparison.Ordinal);

            await Eventually.WaitUntilAsync("the dashboard to store the execution and its history", () => HistoryStoredAsync(file, arn), stored => stored, TimeSpan.FromSeconds(90));
            using var operatorClient = await SignInFlow.SignInAsync(dashboard.BaseUrl, "operator");
            var detail = await operatorClient.GetStringAsync(new Uri(DashboardUrls.Execution(arn), UriKind.Relative));
            var pages = detail + await operatorClient.GetStringAsync(new Uri("/executions", UriKind.Relative));
            var database = ReadShared(file) + ReadShared(file + "-wal");
            var logs = string.Join('\n', dashboard.Process.StandardOutput) + dashboard.Process.StandardError;

            foreach (var (where, text) in new[] { ("the read model file", database), ("the pages", pages), ("the logs", logs) })
            {
                Assert.False(text.Contains(Secret, StringComparison.Ordinal), $"The secret value reached {where}.");
                Assert.False(text.Contains(token, StringComparison.Ordinal), $"The task token reached {where}.");
            }

            // What is shown says what was taken out, and keeps the rest.
            Assert.Contains(SecretRedactor.Marker, detail, StringComparison.Ordinal);
            Assert.Contains("LOG_LEVEL", detail, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"redaction-note\"", detail, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
            {
                File.Delete(f);
            }
        }
    }

    private static async Task<bool> HistoryStoredAsync(string file, string arn)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM "execution_histories" AS h JOIN "executions" AS e ON e."Arn" = h."ExecutionArn"
            WHERE h."ExecutionArn" = $arn AND e."Status" <> 'RUNNING' AND e."NeedsHistory" = 0
            """;
        command.Parameters.AddWithValue("$arn", arn);
        try
        {
            return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 1;
        }
        catch (SqliteException)
        {
            // Not migrated yet.
            return false;
        }
    }

    /// <summary>The file as text, read beside the dashboard that has it open.</summary>
    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The worker's TASK_TOKEN in a task's parameters (ECS container overrides).</summary>
    private static string? TaskToken(string parameters) =>
        JsonNode.Parse(parameters)?["Overrides"]?["ContainerOverrides"]?.AsArray()
            .SelectMany(c => c?["Environment"]?.AsArray() ?? [])
            .FirstOrDefault(e => (string?)e?["Name"] == "TASK_TOKEN")?["Value"]?.GetValue<string>();
}
