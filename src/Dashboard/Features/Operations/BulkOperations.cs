using BatchOps.Aws.StepFunctions;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Operations.Jobs;
using BatchOps.Dashboard.ReadModel;
using Hangfire;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// Redrive or stop many executions: chosen in the grid (<paramref name="ExecutionArns"/>) or by the Executions page's
/// filter (<paramref name="Filter"/>, its query string, e.g. <c>status=REDRIVABLE&amp;reason=ImagePull&amp;range=24h</c>).
/// </summary>
public sealed record BulkRequest(string Action, IReadOnlyList<string>? ExecutionArns = null, string? Filter = null, double? RatePerSecond = null, string? Error = null, string? Cause = null, string? IdempotencyKey = null);

/// <summary>One execution a bulk action covers, and whether it is eligible now (per the read model; AWS is asked again when its turn comes).</summary>
public sealed record BulkTarget(string Arn, string Name, string Workflow, string Status, bool Eligible, string? Why);

public sealed record BulkPreview(OperationKind Kind, IReadOnlyList<BulkTarget> Targets, double RatePerSecond)
{
    public int EligibleCount => Targets.Count(t => t.Eligible);

    /// <summary>How long the eligible ones take at the rate.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(EligibleCount / RatePerSecond);
}

/// <summary>
/// Bulk redrive and bulk stop: previewed (how many, which), then recorded as one operation with an item per eligible
/// execution and carried out by <see cref="BulkOperationJob"/> at the configured rate, resumable after a restart,
/// cancellable, each execution at most once.
/// </summary>
public sealed class BulkOperations(
    IDbContextFactory<ReadModelDbContext> contexts,
    ExecutionQueries executions,
    OperationLedger ledger,
    IBackgroundJobClient jobs,
    IOptions<OperationOptions> options,
    TimeProvider time)
{
    public async Task<(BulkPreview? Preview, OperationResult? Problem)> PreviewAsync(BulkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var kind = request.Action?.ToUpperInvariant() switch
        {
            "REDRIVE" => OperationKind.BulkRedrive,
            "STOP" => OperationKind.BulkStop,
            _ => (OperationKind?)null,
        };
        if (kind is null)
        {
            errors["action"] = [$"Action '{request.Action}' is not one of redrive, stop."];
        }

        var max = options.Value.BulkRatePerSecond;
        var rate = request.RatePerSecond ?? max;
        if (rate is <= 0 || rate > max || double.IsNaN(rate))
        {
            errors["ratePerSecond"] = [$"The rate must be above 0 and at most {max} per second (Operations:BulkRatePerSecond)."];
        }

        if (OperationValidation.ErrorName(request.Error) is { } errorProblem)
        {
            errors["error"] = [errorProblem];
        }

        if (OperationValidation.Cause(request.Cause) is { } causeProblem)
        {
            errors["cause"] = [causeProblem];
        }

        var byArns = request.ExecutionArns is { Count: > 0 };
        if (byArns == (request.Filter is not null))
        {
            errors["executionArns"] = ["Give either executionArns (a selection) or filter (the Executions page's query string), not both and not neither."];
        }

        ExecutionsFilter? filter = null;
        if (request.Filter is { } query)
        {
            var problems = new List<string>();
            filter = ExecutionsFilter.Parse(QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString()), problems);
            if (problems.Count > 0)
            {
                errors["filter"] = [.. problems];
            }
        }

        if (request.ExecutionArns is { } arns && arns.Count > options.Value.MaxBulkItems)
        {
            errors["executionArns"] = [$"{arns.Count} executions selected; a bulk action takes at most {options.Value.MaxBulkItems} (Operations:MaxBulkItems)."];
        }

        if (errors.Count > 0)
        {
            return (null, OperationResult.Invalid(errors));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        List<ExecutionRecord> rows;
        if (filter is not null)
        {
            rows = await executions.Matching(db, filter).OrderByDescending(e => e.StartDate).Take(options.Value.MaxBulkItems + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count > options.Value.MaxBulkItems)
            {
                return (null, OperationResult.Invalid("filter", $"The filter matches more than {options.Value.MaxBulkItems} executions (Operations:MaxBulkItems); narrow it."));
            }
        }
        else
        {
            var distinct = request.ExecutionArns!.Distinct(StringComparer.Ordinal).ToList();
            var found = await db.Executions.AsNoTracking().Where(e => distinct.Contains(e.Arn)).ToDictionaryAsync(e => e.Arn, cancellationToken).ConfigureAwait(false);
            var unknown = distinct.Where(a => !found.ContainsKey(a)).ToList();
            if (unknown.Count > 0)
            {
                return (null, OperationResult.NotFound($"Unknown execution{(unknown.Count == 1 ? "" : "s")}: {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : "")}."));
            }

            rows = [.. distinct.Select(a => found[a])];
        }

        var targets = rows.Select(e => Target(kind!.Value, e)).ToList();
        return (new BulkPreview(kind!.Value, targets, rate), null);
    }

    public async Task<OperationResult> StartAsync(OperationActor actor, BulkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var kind = request.Action?.ToUpperInvariant() == "STOP" ? OperationKind.BulkStop : OperationKind.BulkRedrive;
        var shown = OperationJson.Write(request with { IdempotencyKey = null });
        if (await ledger.RefuseUnlessAllowedAsync(actor, kind, null, null, shown, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (preview, problem) = await PreviewAsync(request, cancellationToken).ConfigureAwait(false);
        if (preview is null)
        {
            return problem!;
        }

        var eligible = preview.Targets.Where(t => t.Eligible).ToList();
        if (eligible.Count == 0)
        {
            return OperationResult.Invalid("executionArns", $"None of the {preview.Targets.Count} executions can be {(kind == OperationKind.BulkRedrive ? "redriven" : "stopped")} now.");
        }

        var parameters = OperationJson.Write(new BulkParameters(kind == OperationKind.BulkRedrive ? "redrive" : "stop", eligible.Count, preview.RatePerSecond, request.Filter, request.Error, request.Cause));
        var key = request.IdempotencyKey is { Length: > 0 } clientKey
            ? IdempotencyKeys.Client(actor.Name, clientKey)
            : IdempotencyKeys.Content(kind.ToString(), actor.Name, string.Join(' ', eligible.Select(t => t.Arn).Order(StringComparer.Ordinal)), parameters);
        var storedKey = IdempotencyKeys.Stored("bulk", key);

        // The same bulk request again (a double click, a script's retry) is the same bulk operation.
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var since = time.GetUtcNow() - options.Value.RepeatWindow;
            var existing = await db.Operations.AsNoTracking()
                .Where(o => o.IdempotencyKey == storedKey && o.Status != OperationStatus.Refused && (o.Status == OperationStatus.Pending || o.RequestedAt >= since))
                .OrderByDescending(o => o.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return new OperationResult(existing.Status == OperationStatus.Pending ? OperationResultKind.Accepted : OperationResultKind.Done, OperationView.From(existing, repeated: true));
            }
        }

        var draft = new OperationDraft(kind, actor, Common(eligible.Select(t => t.Workflow)), null, parameters);
        var bulk = await ledger.CreateBulkAsync(draft, storedKey, [.. eligible.Select(t => (t.Arn, t.Workflow))], kind == OperationKind.BulkRedrive ? OperationKind.Redrive : OperationKind.Stop, cancellationToken).ConfigureAwait(false);
        jobs.Enqueue<BulkOperationJob>(job => job.RunAsync(bulk.Id, CancellationToken.None));
        return new OperationResult(OperationResultKind.Accepted, OperationView.From(bulk));
    }

    /// <summary>Stops a bulk operation: what was sent stays sent, what is queued is cancelled.</summary>
    public async Task<OperationResult> CancelAsync(OperationActor actor, long bulkId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // The role first (both bulk kinds need an Operator): someone who may not act learns nothing about which operations exist.
        if (!actor.May(OperationKind.BulkRedrive))
        {
            return new OperationResult(OperationResultKind.Refused, Message: $"{actor.Name} may not cancel bulk operations: that needs the {OperationActor.RequiredRole(OperationKind.BulkRedrive)} role.");
        }

        var bulk = await ledger.GetAsync(bulkId, cancellationToken).ConfigureAwait(false);
        if (bulk is null || bulk.Kind is not (OperationKind.BulkRedrive or OperationKind.BulkStop))
        {
            return OperationResult.NotFound($"There is no bulk operation {bulkId}.");
        }

        if (!actor.May(bulk.Kind))
        {
            return new OperationResult(OperationResultKind.Refused, Message: $"{actor.Name} may not {OperationLedger.Verb(bulk.Kind)}: that needs the {OperationActor.RequiredRole(bulk.Kind)} role.");
        }

        if (!await ledger.RequestCancelAsync(bulkId, actor.Name, cancellationToken).ConfigureAwait(false))
        {
            return OperationResult.Conflict("id", bulk.Status == OperationStatus.Pending ? "Cancelling was already asked for." : $"Bulk operation {bulkId} has already ended ({bulk.Status}).");
        }

        // A job picks the request up between items; if none runs (between a restart and recovery), recovery's run will.
        jobs.Enqueue<BulkOperationJob>(job => job.RunAsync(bulkId, CancellationToken.None));
        return new OperationResult(OperationResultKind.Accepted, OperationView.From((await ledger.GetAsync(bulkId, cancellationToken).ConfigureAwait(false))!));
    }

    private static BulkTarget Target(OperationKind kind, ExecutionRecord e)
    {
        if (kind == OperationKind.BulkStop)
        {
            return new BulkTarget(e.Arn, e.Name, e.StateMachineName, e.Status, e.Status == ExecutionStatus.RUNNING, e.Status == ExecutionStatus.RUNNING ? null : $"{e.Status}, not running");
        }

        var redrivable = e.Status is ExecutionStatus.FAILED or ExecutionStatus.TIMED_OUT or ExecutionStatus.ABORTED && e.RedriveStatus == ExecutionRedriveStatus.REDRIVABLE;
        return new BulkTarget(e.Arn, e.Name, e.StateMachineName, e.Status, redrivable,
            redrivable ? null : e.RedriveStatusReason ?? (e.RedriveStatus is null ? $"{e.Status}; not described yet" : $"{e.Status}, {e.RedriveStatus}"));
    }

    private static string? Common(IEnumerable<string> workflows)
    {
        var distinct = workflows.Distinct(StringComparer.Ordinal).Take(2).ToList();
        return distinct.Count == 1 ? distinct[0] : null;
    }
}
