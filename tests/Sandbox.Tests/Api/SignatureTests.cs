using System.Net;
using BatchOps.Aws.Runtime;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>SigV4 as the sandbox checks it: the keys it hands out must sign correctly; others pass unless it is strict.</summary>
public sealed class SignatureTests
{
    private static TestClients Clients(SandboxServer server, string key, string secret) =>
        new(server.Endpoint, o =>
        {
            o.AccessKeyId = key;
            o.SecretAccessKey = secret;
            o.MaxAttempts = 1;
        });

    [Fact]
    public async Task The_sandboxs_own_keys_must_sign_correctly_for_every_service_and_unknown_keys_pass()
    {
        await using var server = await SandboxServer.StartAsync("http://127.0.0.1:0");
        var dashboard = Clients(server, SandboxCredentials.DashboardAccessKeyId, SandboxCredentials.DashboardSecretAccessKey);
        var forged = Clients(server, SandboxCredentials.DashboardAccessKeyId, "not-the-secret");
        var worker = Clients(server, SandboxCredentials.WorkerAccessKeyId, SandboxCredentials.WorkerSecretAccessKey);
        var anyone = Clients(server, "AKIAEXAMPLE", "whatever");

        await dashboard.StepFunctions.ListStateMachinesAsync(new());
        await dashboard.Scheduler.ListSchedulesAsync(new());
        await worker.Ecs.ListClustersAsync(new());
        await anyone.StepFunctions.ListStateMachinesAsync(new());

        var sfn = await Assert.ThrowsAnyAsync<AwsServiceException>(() => forged.StepFunctions.ListStateMachinesAsync(new()));
        var ecs = await Assert.ThrowsAnyAsync<AwsServiceException>(() => forged.Ecs.ListClustersAsync(new()));
        var scheduler = await Assert.ThrowsAnyAsync<AwsServiceException>(() => forged.Scheduler.ListSchedulesAsync(new()));
        foreach (var refused in new[] { sfn, ecs, scheduler })
        {
            Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (refused.StatusCode, refused.ErrorCode));
            Assert.StartsWith("The request signature we calculated does not match the signature you provided.", refused.Details.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_strict_sandbox_refuses_keys_it_did_not_hand_out()
    {
        await using var server = await SandboxServer.StartAsync("http://127.0.0.1:0", strictSignatures: true);

        await Clients(server, SandboxCredentials.DashboardAccessKeyId, SandboxCredentials.DashboardSecretAccessKey).StepFunctions.ListStateMachinesAsync(new());
        var refused = await Assert.ThrowsAnyAsync<AwsServiceException>(() => Clients(server, "AKIAEXAMPLE", "whatever").StepFunctions.ListStateMachinesAsync(new()));

        Assert.Equal((HttpStatusCode.Forbidden, "UnrecognizedClientException"), (refused.StatusCode, refused.ErrorCode));
    }
}
