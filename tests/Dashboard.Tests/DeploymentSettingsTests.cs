using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Sync;
using BatchOps.TestSupport;
using Microsoft.Extensions.Configuration;

namespace BatchOps.Dashboard.Tests;

/// <summary>
/// The settings the CDK stack and docker-compose hand the dashboard are the ones it reads: a renamed setting or an
/// enum value it does not know would otherwise surface only at deploy time.
/// </summary>
public sealed class DeploymentSettingsTests
{
    [Fact]
    public void The_cdk_dashboard_service_configures_aws_mode_and_a_postgres_read_model_with_valid_sync_settings()
    {
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Infrastructure", "synth", "BatchOps.template.json")))!;
        var container = template["Resources"]!.AsObject()
            .Select(r => r.Value!)
            .Where(r => (string?)r["Type"] == "AWS::ECS::TaskDefinition")
            .SelectMany(r => r["Properties"]!["ContainerDefinitions"]!.AsArray())
            .Single(c => c!["Environment"]?.AsArray().Any(e => (string?)e!["Name"] == "BatchOps__Mode") == true)!;
        var environment = container["Environment"]!.AsArray().ToDictionary(
            e => (string)e!["Name"]!,
            // Values CloudFormation resolves at deploy stand in as what they resolve to: the workflows' ARNs, the
            // cluster's, and a host name for the database endpoint.
            e => e!["Value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : ((string)e!["Name"]!).StartsWith("Sync__StateMachineArns__", StringComparison.Ordinal) ? "arn:aws:states:us-east-1:123456789012:stateMachine:batch-job"
                : ((string)e!["Name"]!).StartsWith("Sync__Clusters__", StringComparison.Ordinal) ? "arn:aws:ecs:us-east-1:123456789012:cluster/workers"
                : "db.internal");
        var secrets = container["Secrets"]!.AsArray().Select(s => (string)s!["Name"]!).ToList();
        Assert.Contains("ConnectionStrings__ReadModelPassword", secrets);

        var settings = Bind(environment, password: "from-secrets-manager");

        Assert.Equal(DashboardMode.Aws, settings.Mode.Mode);
        Assert.Equal(ReadModelProvider.PostgreSQL, settings.ReadModel.Provider);
        Assert.Equal("db.internal", settings.ReadModel.Host);
        Assert.Empty(settings.SyncProblems);
        // The sync reads the stack's four workflows and its cluster, not everything in the account.
        Assert.Equal(4, environment.Keys.Count(k => k.StartsWith("Sync__StateMachineArns__", StringComparison.Ordinal)));
        Assert.Contains("Sync__Clusters__0", environment.Keys);
        Assert.Equal(["batchops-operator", "batchops-managed"], [environment["Schedules__Groups__0"], environment["Schedules__Groups__1"]]);
    }

    [Fact]
    public void The_compose_dashboard_runs_in_aws_mode_against_the_sandbox_container_on_postgres_signing_in_at_its_provider()
    {
        var environment = ComposeEnvironment("dashboard");

        var settings = Bind(environment, password: null);

        Assert.Equal(DashboardMode.Aws, settings.Mode.Mode);
        Assert.Equal(ReadModelProvider.PostgreSQL, settings.ReadModel.Provider);
        Assert.Equal("http://127.0.0.1:4599", environment["AWS_ENDPOINT_URL"]);
        Assert.Equal("Development", environment["ASPNETCORE_ENVIRONMENT"]);
        // Signs in at the sandbox's development provider, at the issuer the sandbox container announces.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(environment.ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value)).Build();
        var provider = Features.Auth.SignInProvider.Resolve(configuration, DashboardMode.Aws);
        Assert.Equal((Features.Auth.SignInProviderKind.Oidc, true), (provider.Kind, provider.Loopback));
        Assert.Equal(ComposeEnvironment("sandbox")["Sandbox__IdentityIssuer"], environment["Oidc__Authority"]);
    }

    private static (BatchOpsOptions Mode, ReadModelOptions ReadModel, List<ValidationResult> SyncProblems) Bind(Dictionary<string, string> environment, string? password)
    {
        var values = environment.ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value);
        if (password is not null)
        {
            values["ConnectionStrings:ReadModelPassword"] = password;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var mode = configuration.GetSection(BatchOpsOptions.SectionName).Get<BatchOpsOptions>()!;
        var readModel = ReadModelServiceCollectionExtensions.ReadModelOptionsFrom(configuration);
        var sync = configuration.GetSection(SyncOptions.SectionName).Get<SyncOptions>() ?? new SyncOptions();
        var problems = new List<ValidationResult>();
        Assert.True(Validator.TryValidateObject(readModel, new ValidationContext(readModel), problems, validateAllProperties: true), string.Join("; ", problems.Select(p => p.ErrorMessage)));
        var syncProblems = new List<ValidationResult>();
        Validator.TryValidateObject(sync, new ValidationContext(sync), syncProblems, validateAllProperties: true);
        return (mode, readModel, syncProblems);
    }

    /// <summary>The <c>environment:</c> map of one service in docker-compose.yml (the file uses the plain map form).</summary>
    private static Dictionary<string, string> ComposeEnvironment(string service)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docker-compose.yml"));
        var start = Array.IndexOf(lines, $"  {service}:");
        Assert.True(start >= 0, $"service {service} not found in docker-compose.yml");
        var environment = lines.Skip(start + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0)
            .SkipWhile(l => l != "    environment:").Skip(1)
            .TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal))
            .Where(l => !l.TrimStart().StartsWith('#'))
            .Select(l => l.Trim().Split(':', 2))
            .ToDictionary(p => p[0], p => p[1].Trim().Trim('"'));
        Assert.NotEmpty(environment);
        return environment;
    }
}
