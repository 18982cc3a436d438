using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace BatchOps.Infrastructure.Tests;

/// <summary>Where the dashboard is reachable from, and that a public one always has TLS and a sign-in provider.</summary>
[Collection(JsiiCollection.Name)]
public sealed class DashboardExposureTests
{
    private static (Template Template, JsonObject Container) Synthesize(Dictionary<string, object> context)
    {
        var app = new App(new AppProps { Outdir = Path.Combine(Path.GetTempPath(), "batchops-cdk-" + Guid.NewGuid().ToString("N")), Context = context });
        var template = Template.FromStack(BatchOpsStack.Create(app));
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(template.ToJSON()))!.AsObject();
        var task = json["Resources"]!.AsObject().Single(r => r.Key.StartsWith("DashboardService", StringComparison.Ordinal) && r.Value!["Type"]!.GetValue<string>() == "AWS::ECS::TaskDefinition").Value!;
        return (template, task["Properties"]!["ContainerDefinitions"]![0]!.AsObject());
    }

    private static Dictionary<string, string> Environment(JsonObject container) =>
        container["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString().Trim('"'));

    [Fact]
    public void Without_settings_the_dashboard_sits_behind_an_internal_load_balancer()
    {
        var (template, _) = Synthesize([]);

        template.HasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", new Dictionary<string, object> { ["Scheme"] = "internal" });
    }

    [Theory]
    [InlineData(false, false, "HTTPS (-c certificateArn=... -c domainName=...) and a sign-in provider")]
    [InlineData(true, false, "needs a sign-in provider (-c oidcAuthority=")]
    [InlineData(false, true, "needs HTTPS (-c certificateArn=... -c domainName=...). Or leave publicDashboard unset for an internal load balancer")]
    public void A_public_dashboard_without_a_certificate_or_a_sign_in_provider_is_refused(bool certificate, bool signIn, string message)
    {
        var context = new Dictionary<string, object> { ["publicDashboard"] = "true" };
        if (certificate)
        {
            context["certificateArn"] = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
            context["domainName"] = "batchops.example.com";
        }

        if (signIn)
        {
            context["oidcAuthority"] = "https://login.example.com/realms/ops";
            context["oidcClientId"] = "batchops";
            context["oidcClientSecretName"] = "batchops/oidc";
        }

        var error = Assert.Throws<InvalidOperationException>(() => Synthesize(context));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_dashboard_with_https_and_an_oidc_provider_gets_its_settings_and_the_client_secret_from_secrets_manager()
    {
        var (template, container) = Synthesize(new()
        {
            ["publicDashboard"] = "true",
            ["certificateArn"] = "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            ["domainName"] = "batchops.example.com",
            ["oidcAuthority"] = "https://login.example.com/realms/ops",
            ["oidcClientId"] = "batchops",
            ["oidcClientSecretName"] = "batchops/oidc",
        });

        template.HasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", new Dictionary<string, object> { ["Scheme"] = "internet-facing" });
        var environment = Environment(container);
        Assert.Equal(("https://login.example.com/realms/ops", "batchops", "batchops.example.com"), (environment["Oidc__Authority"], environment["Oidc__ClientId"], environment["AllowedHosts"]));
        Assert.Contains(container["Secrets"]!.AsArray(), s => s!["Name"]!.GetValue<string>() == "Oidc__ClientSecret");
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("AzureAd__", StringComparison.Ordinal));
    }

    [Fact]
    public void Entra_settings_become_the_azure_ad_section()
    {
        var (_, container) = Synthesize(new() { ["entraTenantId"] = "8f0c6a3e", ["entraClientId"] = "c1", ["entraClientSecretName"] = "batchops/entra" });

        var environment = Environment(container);
        Assert.Equal(("https://login.microsoftonline.com/", "8f0c6a3e", "c1"), (environment["AzureAd__Instance"], environment["AzureAd__TenantId"], environment["AzureAd__ClientId"]));
        Assert.Contains(container["Secrets"]!.AsArray(), s => s!["Name"]!.GetValue<string>() == "AzureAd__ClientSecret");
    }

    [Fact]
    public void Worker_secrets_reach_its_container_through_ecs_secrets_read_by_the_execution_role_never_as_plain_values()
    {
        var app = new App(new AppProps { Outdir = Path.Combine(Path.GetTempPath(), "batchops-cdk-" + Guid.NewGuid().ToString("N")), Context = new Dictionary<string, object> { ["workerSecrets"] = "API_TOKEN=batchops/api:token, DB_PASSWORD=batchops/db" } });
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Template.FromStack(BatchOpsStack.Create(app)).ToJSON()))!.AsObject();
        var resources = json["Resources"]!.AsObject();
        var worker = resources.Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ECS::TaskDefinition" && r.Value["Properties"]!["Family"]?.GetValue<string>() == "batchops-worker").Value!["Properties"]!["ContainerDefinitions"]![0]!;

        var secrets = worker["Secrets"]!.AsArray().ToDictionary(s => s!["Name"]!.GetValue<string>(), s => s!["ValueFrom"]!.ToJsonString());
        Assert.Equal(["API_TOKEN", "DB_PASSWORD"], secrets.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("secret:batchops/api", secrets["API_TOKEN"], StringComparison.Ordinal);
        Assert.Contains(":token::", secrets["API_TOKEN"], StringComparison.Ordinal);
        Assert.DoesNotContain(worker["Environment"]?.AsArray() ?? [], e => e!["Name"]!.GetValue<string>() is "API_TOKEN" or "DB_PASSWORD");
        var executionPolicy = resources.Single(r => r.Key.StartsWith("WorkerTaskExecutionRoleDefaultPolicy", StringComparison.Ordinal)).Value!.ToJsonString();
        Assert.Contains("secretsmanager:GetSecretValue", executionPolicy, StringComparison.Ordinal);
        // The workflows' own input never carries them: the state machines pass only the contract's commands and environment.
        var taskRolePolicy = resources.Single(r => r.Key.StartsWith("WorkerTaskTaskRoleDefaultPolicy", StringComparison.Ordinal)).Value!.ToJsonString();
        Assert.DoesNotContain("secretsmanager", taskRolePolicy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_worker_secret_setting_is_refused_with_its_format()
    {
        var app = new App(new AppProps { Outdir = Path.Combine(Path.GetTempPath(), "batchops-cdk-" + Guid.NewGuid().ToString("N")), Context = new Dictionary<string, object> { ["workerSecrets"] = "API TOKEN=batchops/api" } });

        var error = Assert.ThrowsAny<Exception>(() => BatchOpsStack.Create(app));

        Assert.Contains("is not ENV_NAME=secret-name[:json-key]", error.Message, StringComparison.Ordinal);
    }
}
