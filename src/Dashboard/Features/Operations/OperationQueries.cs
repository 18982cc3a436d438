using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BatchOps.Dashboard.Features.Shared;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>The audit page's filter; round-trips through the URL like the Executions filter.</summary>
public sealed record AuditFilter
{
    public const int PageSize = 50;

    public string? Actor { get; init; }
    public OperationKind? Action { get; init; }
    public string? Workflow { get; init; }
    public OperationStatus? Result { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>Show the items of bulk operations too (each is its own redrive or stop).</summary>
    public bool Items { get; init; }
    public int Page { get; init; } = 1;

    public static AuditFilter Parse(IReadOnlyDictionary<string, string?> query, ICollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var filter = new AuditFilter { Actor = Get("actor") is { Length: <= 200 } actor ? actor : null, Workflow = Get("workflow") is { Length: <= 80 } workflow ? workflow : null };
        if (Get("action") is { } action)
        {
            if (Enum.TryParse<OperationKind>(action, ignoreCase: true, out var kind) && Enum.IsDefined(kind))
            {
                filter = filter with { Action = kind };
            }
            else
            {
                problems?.Add($"Unknown action \"{action}\" ignored; expected one of {string.Join(", ", Enum.GetNames<OperationKind>())}.");
            }
        }

        if (Get("result") is { } result)
        {
            if (Enum.TryParse<OperationStatus>(result, ignoreCase: true, out var status) && Enum.IsDefined(status))
            {
                filter = filter with { Result = status };
            }
            else
            {
                problems?.Add($"Unknown result \"{result}\" ignored; expected one of {string.Join(", ", Enum.GetNames<OperationStatus>())}.");
            }
        }

        filter = filter with
        {
            From = FilterValues.ParseTime(Get("from"), "from", problems),
            To = FilterValues.ParseTime(Get("to"), "to", problems),
            Items = Get("items") is "true" or "1",
        };
        if (Get("page") is { } page && int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100_000)
        {
            filter = filter with { Page = p };
        }

        return filter;
    }

    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (Actor is not null) yield return new("actor", Actor);
        if (Action is not null) yield return new("action", Action.Value.ToString());
        if (Workflow is not null) yield return new("workflow", Workflow);
        if (Result is not null) yield return new("result", Result.Value.ToString());
        if (From is not null) yield return new("from", FilterValues.FormatTime(From.Value));
        if (To is not null) yield return new("to", FilterValues.FormatTime(To.Value));
        if (Items) yield return new("items", "true");
        if (Page != 1) yield return new("page", Page.ToString(CultureInfo.InvariantCulture));
    }
}

public sealed record AuditResults(IReadOnlyList<OperationView> Rows, int Total, int Page, int PageCount, IReadOnlyList<string> Actors);

/// <summary>A bulk operation's progress: its items by status, and the items themselves in order.</summary>
public sealed record OperationDetail(OperationView Operation, IReadOnlyDictionary<OperationStatus, int> ItemCounts, IReadOnlyList<OperationView> Items, OperationView? Parent);

/// <summary>Reads the ledger for the audit page, the operation page and the CSV export. Never writes.</summary>
public sealed class OperationQueries(IDbContextFactory<ReadModelDbContext> contexts)
{
    private static readonly string[] SecretMarkers = ["SECRET", "TOKEN", "PASSWORD", "KEY", "CREDENTIAL"];

    public async Task<AuditResults> GetPageAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = Apply(db.Operations.AsNoTracking(), filter);
        var total = await query.CountAsync(cancellationToken).ConfigureAwait(false);
        var pageCount = Math.Max(1, (int)Math.Ceiling(total / (double)AuditFilter.PageSize));
        var page = Math.Min(filter.Page, pageCount);
        var rows = await query.OrderByDescending(o => o.Id).Skip((page - 1) * AuditFilter.PageSize).Take(AuditFilter.PageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        var actors = await db.Operations.AsNoTracking().Select(o => o.Actor).Distinct().OrderBy(a => a).Take(200).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new AuditResults([.. rows.Select(Shown)], total, page, pageCount, actors);
    }

    public async Task<OperationDetail?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var operation = await db.Operations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken).ConfigureAwait(false);
        if (operation is null)
        {
            return null;
        }

        var counts = await db.Operations.AsNoTracking().Where(o => o.ParentId == id).GroupBy(o => o.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken).ConfigureAwait(false);
        var items = await db.Operations.AsNoTracking().Where(o => o.ParentId == id).OrderBy(o => o.Position).Take(2000).ToListAsync(cancellationToken).ConfigureAwait(false);
        var parent = operation.ParentId is { } parentId ? await db.Operations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == parentId, cancellationToken).ConfigureAwait(false) : null;
        return new OperationDetail(Shown(operation), counts, [.. items.Select(Shown)], parent is null ? null : Shown(parent));
    }

    /// <summary>The operations recorded for one execution (its page lists what was done to it), newest first.</summary>
    public async Task<IReadOnlyList<OperationView>> ForExecutionAsync(string executionArn, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Operations.AsNoTracking().Where(o => o.TargetArn == executionArn || o.ResultArn == executionArn)
            .OrderByDescending(o => o.Id).Take(50).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Shown)];
    }

    /// <summary>Every operation the filter selects (all pages), oldest first, as CSV (RFC 4180; cells that a spreadsheet would run as a formula are quoted with a leading ').</summary>
    public async Task WriteCsvAsync(AuditFilter filter, TextWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync("id,requested_at,actor,actor_id,action,workflow,target,status,result_arn,result,error_code,error_message,aws_request_id,bulk_id,attempts,started_at,completed_at,parameters").ConfigureAwait(false);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var o in Apply(db.Operations.AsNoTracking(), filter).OrderBy(o => o.Id).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var shown = Shown(o);
            string?[] cells =
            [
                o.Id.ToString(CultureInfo.InvariantCulture), Time(o.RequestedAt), o.Actor, o.ActorId, o.Kind.ToString(), o.Workflow, o.TargetArn, o.Status.ToString(), o.ResultArn, o.Result,
                o.ErrorCode, o.ErrorMessage, o.AwsRequestId, o.ParentId?.ToString(CultureInfo.InvariantCulture), o.Attempts.ToString(CultureInfo.InvariantCulture),
                Time(o.StartedAt), Time(o.CompletedAt), shown.Parameters,
            ];
            await writer.WriteLineAsync(string.Join(',', cells.Select(Cell))).ConfigureAwait(false);
        }
    }

    private static IQueryable<OperationRecord> Apply(IQueryable<OperationRecord> query, AuditFilter filter)
    {
        if (!filter.Items)
        {
            query = query.Where(o => o.ParentId == null);
        }

        if (filter.Actor is { } actor)
        {
            query = query.Where(o => o.Actor == actor);
        }

        if (filter.Action is { } action)
        {
            query = query.Where(o => o.Kind == action);
        }

        if (filter.Workflow is { } workflow)
        {
            query = query.Where(o => o.Workflow == workflow);
        }

        if (filter.Result is { } result)
        {
            query = query.Where(o => o.Status == result);
        }

        if (filter.From is { } from)
        {
            query = query.Where(o => o.RequestedAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(o => o.RequestedAt <= to);
        }

        return query;
    }

    /// <summary>As shown to people: values of secret-looking environment variables are masked.</summary>
    public static OperationView Shown(OperationRecord record) => OperationView.From(record) with { Parameters = MaskSecrets(record.Parameters) };

    public static string? MaskSecrets(string? parameters)
    {
        if (parameters is null || !SecretMarkers.Any(m => parameters.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            return parameters;
        }

        try
        {
            var root = JsonNode.Parse(parameters);
            Mask(root);
            if (root?["input"] is JsonValue inputText && inputText.TryGetValue<string>(out var nested) && JsonNode.Parse(nested) is { } inputNode)
            {
                Mask(inputNode);
                root["input"] = inputNode.ToJsonString();
            }

            return root?.ToJsonString() ?? parameters;
        }
        catch (System.Text.Json.JsonException)
        {
            return parameters;
        }

        static void Mask(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    var name = (o["Name"] ?? o["name"]) is JsonValue n && n.TryGetValue<string>(out var s) ? s : null;
                    if (name is not null && SecretMarkers.Any(m => name.Contains(m, StringComparison.OrdinalIgnoreCase)) && (o.ContainsKey("Value") || o.ContainsKey("value")))
                    {
                        o[o.ContainsKey("Value") ? "Value" : "value"] = "***";
                    }

                    foreach (var (_, child) in o.ToList())
                    {
                        Mask(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Mask(child);
                    }

                    break;
            }
        }
    }

    private static string? Time(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var text = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
