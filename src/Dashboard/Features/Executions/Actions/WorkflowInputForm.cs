using System.Text.Json;
using BatchOps.Contracts;

namespace BatchOps.Dashboard.Features.Executions.Actions;

/// <summary>
/// The contract's input as a form edits it: commands as an ordered list (one argument per row, no shell parsing),
/// environment as name/value rows, and the step to resume from.
/// </summary>
public sealed class WorkflowInputForm
{
    public List<ArgumentRow> Commands { get; } = [];
    public List<VariableRow> Environment { get; } = [];
    public string? ResumeFrom { get; set; }

    public static WorkflowInputForm From(WorkflowInput? input)
    {
        var form = new WorkflowInputForm { ResumeFrom = input?.ResumeFrom };
        form.Commands.AddRange((input?.Commands ?? []).Select(c => new ArgumentRow { Value = c }));
        form.Environment.AddRange((input?.Environment ?? []).Select(e => new VariableRow { Name = e.Name, Value = e.Value }));
        return form;
    }

    /// <summary>Reads an execution's input; anything that is not the contract's shape gives an empty form.</summary>
    public static WorkflowInputForm Parse(string? json)
    {
        try
        {
            return From(string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<WorkflowInput>(json));
        }
        catch (JsonException)
        {
            return new WorkflowInputForm();
        }
    }

    public IReadOnlyList<string> CommandList => [.. Commands.Select(c => c.Value)];

    public IReadOnlyList<EnvironmentVariable> EnvironmentList => [.. Environment.Select(e => new EnvironmentVariable(e.Name, e.Value))];

    public WorkflowInput ToInput() => new()
    {
        Commands = CommandList,
        Environment = EnvironmentList,
        ResumeFrom = string.IsNullOrEmpty(ResumeFrom) ? null : ResumeFrom,
    };

    /// <summary>Exactly what is sent (the preview shows this text).</summary>
    public string ToJson() => JsonSerializer.Serialize(ToInput());

    public void Move(int index, int by)
    {
        var target = index + by;
        if (target < 0 || target >= Commands.Count)
        {
            return;
        }

        (Commands[index], Commands[target]) = (Commands[target], Commands[index]);
    }
}

/// <summary>A row object (not a string) so the list editor keeps each field's identity while rows move.</summary>
public sealed class ArgumentRow
{
    public string Value { get; set; } = "";
}

public sealed class VariableRow
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}
