using BatchOps.Dashboard.Features.Operations;
using BatchOps.Dashboard.ReadModel;
using BatchOps.Dashboard.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BatchOps.Dashboard.Tests.Operations;

/// <summary>The ledger on both real databases: the audit log cannot be rewritten, and a claim is held by one caller.</summary>
public sealed class OperationLedgerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData(ReadModelProvider.Sqlite)]
    [InlineData(ReadModelProvider.PostgreSQL)]
    public async Task A_completed_operation_can_be_neither_changed_nor_deleted(ReadModelProvider provider)
    {
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        var ledger = Ledger(database, new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        var (record, _) = await ledger.BeginAsync(Draft(), "start:abc", null, CancellationToken.None);
        await ledger.CompleteAsync(record.Id, new OperationCompletion(OperationStatus.Succeeded, Result: "started"), CancellationToken.None);

        await using var db = await database.Contexts.CreateDbContextAsync();
        var update = await Record.ExceptionAsync(() => db.Operations.Where(o => o.Id == record.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Actor, "mallory")));
        var delete = await Record.ExceptionAsync(() => db.Operations.Where(o => o.Id == record.Id).ExecuteDeleteAsync());

        Assert.Contains("a completed operation never changes", update?.ToString(), StringComparison.Ordinal);
        Assert.Contains("rows are never deleted", delete?.ToString(), StringComparison.Ordinal);
        Assert.Equal("otto", (await ledger.GetAsync(record.Id, CancellationToken.None))!.Actor);
        Assert.False(await ledger.CompleteAsync(record.Id, new OperationCompletion(OperationStatus.Failed), CancellationToken.None));
    }

    [Theory]
    [InlineData(ReadModelProvider.Sqlite)]
    [InlineData(ReadModelProvider.PostgreSQL)]
    public async Task Only_one_of_many_callers_claims_a_pending_operation_until_its_claim_lapses(ReadModelProvider provider)
    {
        await using var database = await ReadModelDatabase.CreateAsync(provider, postgres);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var ledger = Ledger(database, clock);
        var (record, _) = await ledger.BeginAsync(Draft(), "start:abc", null, CancellationToken.None);

        var whileHeld = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ledger.TryClaimAsync(record.Id, CancellationToken.None)));
        clock.Advance(TimeSpan.FromSeconds(31));
        var afterLapse = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ledger.TryClaimAsync(record.Id, CancellationToken.None)));

        Assert.DoesNotContain(true, whileHeld);
        Assert.Single(afterLapse, claimed => claimed);
        Assert.Equal(1, (await ledger.GetAsync(record.Id, CancellationToken.None))!.Attempts);
    }

    private static OperationLedger Ledger(ReadModelDatabase database, TimeProvider time) =>
        new(database.Contexts, new ReadModelChanges(), time, Options.Create(new OperationOptions()));

    private static OperationDraft Draft() => new(OperationKind.Start, new OperationActor("otto", new HashSet<string> { "Operator" }), "batch-job", "arn:aws:states:us-east-1:1:stateMachine:batch-job", "{}");
}
