using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Contracts;
using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>What the start and re-run forms need to know about a state machine, read from what is deployed.</summary>
/// <param name="TakesContractInput">Tagged by the CDK app as taking <see cref="WorkflowInput"/> (commands, environment, resumeFrom).</param>
/// <param name="ResumeSteps">The states its resume router accepts in <c>resumeFrom</c>, in the router's order.</param>
/// <param name="MaxExecutionNameLength">80, less what the workflow appends when it names child executions after this one.</param>
public sealed record WorkflowDescription(string Arn, string Name, string Type, bool TakesContractInput, IReadOnlyList<string> ResumeSteps, int MaxExecutionNameLength);

/// <summary>A state machine the sync has seen, for the start form's list.</summary>
public sealed record WorkflowChoice(string Arn, string Name, string Type);

/// <summary>
/// Describes state machines for the forms: DescribeStateMachine and ListTagsForResource, cached for a minute per
/// state machine (a deploy shows within a minute; a busy form does not call AWS per keystroke).
/// </summary>
public sealed class WorkflowCatalog(IAmazonStepFunctions stepFunctions, IDbContextFactory<ReadModelDbContext> contexts, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (WorkflowDescription Description, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<WorkflowChoice>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.StateMachines.AsNoTracking().OrderBy(m => m.Name).Select(m => new WorkflowChoice(m.Arn, m.Name, m.Type)).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The state machine by ARN or by the name the sync knows it by; null when there is none.</summary>
    public async Task<WorkflowDescription?> DescribeAsync(string arnOrName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arnOrName);
        var arn = arnOrName;
        if (!arnOrName.StartsWith("arn:", StringComparison.Ordinal))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            arn = await db.StateMachines.AsNoTracking().Where(m => m.Name == arnOrName).Select(m => m.Arn).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (arn is null)
            {
                return null;
            }
        }

        if (_cache.TryGetValue(arn, out var cached) && time.GetUtcNow() - cached.At < CacheFor)
        {
            return cached.Description;
        }

        DescribeStateMachineResponse described;
        try
        {
            described = await stepFunctions.DescribeStateMachineAsync(new() { StateMachineArn = arn }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StateMachineDoesNotExistException or InvalidArnException)
        {
            return null;
        }

        var tags = await stepFunctions.ListTagsForResourceAsync(new() { ResourceArn = arn }, cancellationToken).ConfigureAwait(false);
        var contract = tags.Tags?.Any(t => t.Key == WorkflowTags.Input && t.Value == WorkflowTags.ContractInput) == true;
        var definition = JsonNode.Parse(described.Definition) as JsonObject ?? [];
        var description = new WorkflowDescription(described.StateMachineArn, described.Name, described.Type, contract,
            WorkflowDefinition.ResumeSteps(definition), WorkflowDefinition.MaxExecutionNameLength(definition));
        _cache[arn] = (description, time.GetUtcNow());
        return description;
    }
}

/// <summary>Reads from an ASL definition what the forms offer.</summary>
public static class WorkflowDefinition
{
    private const string ResumeFromPath = "$.resumeFrom";

    /// <summary>Every StringEquals on <c>$.resumeFrom</c> in the definition's Choice states, in order, once each.</summary>
    public static IReadOnlyList<string> ResumeSteps(JsonObject definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var steps = new List<string>();
        foreach (var state in States(definition).Where(s => s["Type"]?.GetValue<string>() == "Choice"))
        {
            foreach (var rule in state["Choices"]?.AsArray() ?? [])
            {
                Collect(rule, steps);
            }
        }

        return steps;

        static void Collect(JsonNode? rule, List<string> steps)
        {
            if (rule is not JsonObject o)
            {
                return;
            }

            if (o["Variable"]?.GetValue<string>() == ResumeFromPath && o["StringEquals"]?.GetValue<string>() is { } step && !steps.Contains(step))
            {
                steps.Add(step);
            }

            foreach (var nested in (o["And"]?.AsArray() ?? []).Concat(o["Or"]?.AsArray() ?? []).Append(o["Not"]))
            {
                Collect(nested, steps);
            }
        }
    }

    /// <summary>
    /// 80 less the longest suffix the workflow adds to its own name for a child execution
    /// (<c>"Name.$": "States.Format('{}-step-r{}', $$.Execution.Name, ...)"</c>; each further {} counted as 3 characters).
    /// </summary>
    public static int MaxExecutionNameLength(JsonObject definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var longest = 0;
        foreach (var value in Values(definition, "Name.$"))
        {
            if (value.StartsWith("States.Format('", StringComparison.Ordinal) && value.Contains("$$.Execution.Name", StringComparison.Ordinal))
            {
                var template = value["States.Format('".Length..value.IndexOf('\'', "States.Format('".Length)];
                var placeholders = (template.Length - template.Replace("{}", "", StringComparison.Ordinal).Length) / 2;
                longest = Math.Max(longest, template.Length - (2 * placeholders) + (3 * Math.Max(0, placeholders - 1)));
            }
        }

        return OperationValidation.MaxNameLength - longest;
    }

    private static IEnumerable<JsonObject> States(JsonObject machine)
    {
        foreach (var (_, node) in machine["States"]?.AsObject() ?? [])
        {
            if (node is not JsonObject state)
            {
                continue;
            }

            yield return state;
            var nested = (state["Branches"]?.AsArray() ?? []).Append(state["Iterator"]).Append(state["ItemProcessor"]);
            foreach (var inner in nested.OfType<JsonObject>().SelectMany(States))
            {
                yield return inner;
            }
        }
    }

    private static IEnumerable<string> Values(JsonNode? node, string property)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key == property && value is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        yield return text;
                    }

                    foreach (var inner in Values(value, property))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray a:
                foreach (var inner in a.SelectMany(item => Values(item, property)))
                {
                    yield return inner;
                }

                break;
        }
    }
}
