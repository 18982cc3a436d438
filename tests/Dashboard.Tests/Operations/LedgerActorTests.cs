using System.Security.Claims;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.Features.Operations;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>Who the ledger says acted: the display name to read, and the identity provider's stable id to rely on.</summary>
public sealed class LedgerActorTests : IAsyncLifetime
{
    private OperationsSandbox _aws = null!;

    public async Task InitializeAsync() => _aws = await OperationsSandbox.StartAsync();

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    [Fact]
    public async Task The_ledger_records_the_users_stable_id_beside_their_name()
    {
        await _aws.CreateAsync("contract", OperationsSandbox.ContractDefinition, contract: true);
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "Ada Lovelace"), new Claim("sub", "00u1ab2cd3"), new Claim(ClaimTypes.Role, BatchOpsRoles.Operator)],
            "oidc"));

        var started = await _aws.Actions.StartAsync(OperationActor.From(user), new StartRequest("contract", """{"commands":["echo"],"environment":[]}""", "by-ada"), CancellationToken.None);

        Assert.True(started.Succeeded, started.Message);
        var entry = Assert.Single(await _aws.LedgerAsync());
        Assert.Equal(("Ada Lovelace", "00u1ab2cd3"), (entry.Actor, entry.ActorId));
        Assert.Equal("00u1ab2cd3", started.Operation!.ActorId);
    }
}
