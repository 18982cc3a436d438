using System.Net;
using BatchOps.Aws.Configuration;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;
using Microsoft.Extensions.Time.Testing;

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

    [Fact]
    public async Task A_request_signed_more_than_five_minutes_off_is_refused_in_aws_words()
    {
        await using var server = await SandboxServer.StartAsync("http://127.0.0.1:0");
        var late = new TestClients(server.Endpoint, o => Own(o, attempts: 1), new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20)));
        var early = new TestClients(server.Endpoint, o => Own(o, attempts: 1), new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(20)));
        var close = new TestClients(server.Endpoint, o => Own(o, attempts: 1), new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-4)));

        var expired = await Assert.ThrowsAnyAsync<AwsServiceException>(() => late.StepFunctions.ListStateMachinesAsync(new()));
        var ahead = await Assert.ThrowsAnyAsync<AwsServiceException>(() => early.Ecs.ListClustersAsync(new()));
        await close.StepFunctions.ListStateMachinesAsync(new());

        Assert.Equal("InvalidSignatureException", expired.ErrorCode);
        Assert.Matches(@"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$", expired.Details.Message);
        Assert.Matches(@"^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$", ahead.Details.Message);
    }

    [Fact]
    public async Task A_client_with_a_slow_clock_learns_the_time_from_the_refusal_and_signs_right_from_then_on()
    {
        await using var server = await SandboxServer.StartAsync("http://127.0.0.1:0");
        var clients = new TestClients(server.Endpoint, o => Own(o, attempts: 2), new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20)));
        var runtime = clients.Runtime(StepFunctionsService.Description);
        var sfn = new StepFunctionsClient(runtime);

        await sfn.ListStateMachinesAsync(new());
        // Learned from the Date header of the refusal (whole seconds).
        Assert.InRange(runtime.ClockSkew, TimeSpan.FromMinutes(20) - TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(5));
        // From then on the first attempt is signed right: with no retry allowed, the next call still succeeds.
        clients.Options.MaxAttempts = 1;
        await sfn.ListStateMachinesAsync(new());
    }

    private static void Own(AwsClientOptions options, int attempts)
    {
        options.AccessKeyId = SandboxCredentials.DashboardAccessKeyId;
        options.SecretAccessKey = SandboxCredentials.DashboardSecretAccessKey;
        options.MaxAttempts = attempts;
    }
}
