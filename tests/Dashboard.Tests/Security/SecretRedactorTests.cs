using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Tests.Security;

/// <summary>What the read model may never hold: values of secret-looking names and task tokens, wherever AWS's JSON carries them.</summary>
public sealed class SecretRedactorTests
{
    private readonly SecretRedactor _redactor = new(Options.Create(new RedactionOptions()));

    [Fact]
    public void Secret_environment_values_and_members_are_redacted_and_the_rest_is_kept()
    {
        var input = """{"commands":["import","--day","2026-11-23"],"environment":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"IMPORT_MODE","value":"strict"}],"apiKey":"k-123","taskToken":"AAAAtoken","_batchops":{"rerunOf":"arn:x"}}""";

        var redacted = JsonNode.Parse(_redactor.Redact(input)!)!;

        Assert.Equal(SecretRedactor.Marker, (string?)redacted["environment"]![0]!["value"]);
        Assert.Equal("strict", (string?)redacted["environment"]![1]!["value"]);
        Assert.Equal(SecretRedactor.Marker, (string?)redacted["apiKey"]);
        Assert.Equal(SecretRedactor.Marker, (string?)redacted["taskToken"]);
        Assert.Equal("2026-11-23", (string?)redacted["commands"]![2]);
        Assert.Equal("arn:x", (string?)redacted["_batchops"]!["rerunOf"]);
    }

    [Fact]
    public void Json_carried_as_text_inside_json_is_redacted_too()
    {
        // A TaskScheduled event's parameters: ECS overrides with the worker's task token, as text inside the event.
        var parameters = """{"Cluster":"c","Overrides":{"ContainerOverrides":[{"Name":"worker","Environment":[{"Name":"TASK_TOKEN","Value":"AQCEAAAAKgAAAAMAAAAA-token"},{"Name":"JOB","Value":"report"}]}]}}""";
        var cause = JsonNode.Parse("{}")!;
        cause["Tasks"] = new JsonArray(JsonNode.Parse("""{"Overrides":{"ContainerOverrides":[{"Environment":[{"Name":"SMTP_SECRET","Value":"s3cr3t"}]}]}}"""));
        var events = new[]
        {
            new HistoryEvent { Id = 1, Type = "TaskScheduled", Timestamp = DateTimeOffset.UnixEpoch, TaskScheduledEventDetails = new TaskScheduledEventDetails { ResourceType = "ecs", Resource = "runTask.waitForTaskToken", Region = "us-east-1", Parameters = parameters } },
            new HistoryEvent { Id = 2, Type = "TaskFailed", Timestamp = DateTimeOffset.UnixEpoch, TaskFailedEventDetails = new TaskFailedEventDetails { ResourceType = "ecs", Resource = "runTask.sync", Cause = cause.ToJsonString() } },
            new HistoryEvent { Id = 4, Type = "TaskScheduled", Timestamp = DateTimeOffset.UnixEpoch, TaskScheduledEventDetails = new TaskScheduledEventDetails { ResourceType = "lambda", Resource = "invoke", Region = "us-east-1", Parameters = "{}", TaskCredentials = new TaskCredentials { RoleArn = "arn:aws:iam::1:role/r" } } },
            new HistoryEvent { Id = 3, Type = "PassStateEntered", Timestamp = DateTimeOffset.UnixEpoch, StateEnteredEventDetails = new StateEnteredEventDetails { Name = "Plain", Input = "not json, DB_PASSWORD stays as text" } },
        };

        var redacted = _redactor.Redact(events);

        var stored = string.Join('\n', redacted.Select(e => System.Text.Json.JsonSerializer.Serialize(e)));
        Assert.DoesNotContain("AQCEAAAAKgAAAAMAAAAA-token", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", stored, StringComparison.Ordinal);
        Assert.Contains("report", redacted[0].TaskScheduledEventDetails!.Parameters, StringComparison.Ordinal);
        Assert.Equal(events[3], redacted[3]);
        // A secret-looking member that holds an object keeps its shape, so the event still reads back as its type.
        Assert.Equal("arn:aws:iam::1:role/r", redacted[2].TaskScheduledEventDetails!.TaskCredentials!.RoleArn);
    }

    [Fact]
    public void Restore_puts_each_marker_back_from_the_original_by_name_and_fails_when_one_has_no_original()
    {
        const string Original = """{"commands":["a"],"environment":[{"Name":"LOG_LEVEL","Value":"info"},{"Name":"DB_PASSWORD","Value":"hunter2"}],"apiKey":"k-1"}""";
        // Reordered, one changed, one added: the secret is matched by name.
        var rerun = """{"commands":["b"],"environment":[{"Name":"DB_PASSWORD","Value":"[redacted]"},{"Name":"LOG_LEVEL","Value":"debug"},{"Name":"DRY_RUN","Value":"1"}],"apiKey":"[redacted]"}""";

        var restored = JsonNode.Parse(SecretRedactor.Restore(rerun, Original)!)!;

        Assert.Equal("hunter2", (string?)restored["environment"]![0]!["Value"]);
        Assert.Equal("debug", (string?)restored["environment"]![1]!["Value"]);
        Assert.Equal("k-1", (string?)restored["apiKey"]);
        Assert.Null(SecretRedactor.Restore("""{"environment":[{"Name":"NEW_SECRET","Value":"[redacted]"}]}""", Original));
        Assert.Equal(["DB_PASSWORD"], _redactor.SecretsIn("""{"environment":[{"Name":"DB_PASSWORD","Value":"typed"},{"Name":"API_KEY","Value":"[redacted]"}]}"""));
    }

    [Theory]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("db-password", true)]
    [InlineData("TASK_TOKEN", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("ApiKey", true)]
    [InlineData("IMPORT_MODE", false)]
    [InlineData("name", false)]
    public void Secret_names_are_matched_ignoring_case_and_separators(string name, bool secret) =>
        Assert.Equal(secret, _redactor.IsSecretName(name));

    [Fact]
    public void Names_can_be_configured()
    {
        var redactor = new SecretRedactor(Options.Create(new RedactionOptions { SecretNames = ["PIN"] }));
        var bound = new ConfigurationBuilder().AddInMemoryCollection([new("Redaction:SecretNames:0", "PIN")]).Build()
            .GetSection(RedactionOptions.SectionName).Get<RedactionOptions>()!;

        Assert.True(redactor.IsSecretName("CARD_PIN"));
        Assert.False(redactor.IsSecretName("DB_PASSWORD"));
        Assert.Equal("not json", redactor.Redact("not json"));
        // From configuration the list replaces the defaults rather than adding to them.
        Assert.Equal(["PIN"], bound.EffectiveSecretNames);
    }
}
