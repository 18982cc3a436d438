using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchOps.Contracts;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// The checks made before anything is written or sent, with the limits from the Step Functions and ECS service
/// models (stepfunctions.service-2.json: Name 1-80, SensitiveData 262 144, SensitiveError 256, SensitiveCause 32 768).
/// Each returns null when the value is fine, else a message for the field.
/// </summary>
public static partial class OperationValidation
{
    public const int MaxNameLength = 80;

    /// <summary>256 KiB: Step Functions' limit on an execution's input and a task's output.</summary>
    public const int MaxPayloadBytes = 256 * 1024;
    public const int MaxErrorLength = 256;
    public const int MaxCauseLength = 32768;

    /// <summary>ECS: the container overrides of a RunTask request may hold at most 8 192 characters.</summary>
    public const int MaxContainerOverrideLength = 8192;

    /// <summary>Names the worker's container override carries, as the CDK workflows pass it to RunTask.</summary>
    public const string WorkerContainerName = "worker";

    /// <summary>What the service model's documentation forbids in an execution name.</summary>
    public static string? ExecutionName(string? name, int maxLength = MaxNameLength)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Enter a name, or leave it out and one is made for you.";
        }

        if (name.Length > maxLength)
        {
            return maxLength == MaxNameLength
                ? $"A name may have at most {MaxNameLength} characters; this one has {name.Length}."
                : $"This workflow names its child executions after this one, so its name may have at most {maxLength} characters; this one has {name.Length}.";
        }

        var bad = name.FirstOrDefault(IsForbiddenInName);
        return bad == default
            ? null
            : $"A name may not contain {Describe(bad)} (no white space, brackets < > {{ }} [ ], wildcards ? *, special characters \" # % \\ ^ | ~ ` $ & , ; : / or control characters).";
    }

    /// <summary>Well-formed JSON within 256 KiB (UTF-8).</summary>
    public static string? JsonPayload(string? json, string what)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return $"Enter the {what} as JSON (at least {{}}).";
        }

        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxPayloadBytes)
        {
            return $"The {what} is {bytes:N0} bytes; Step Functions accepts at most {MaxPayloadBytes:N0} (256 KiB).";
        }

        try
        {
            using var _ = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return null;
        }
        catch (JsonException e)
        {
            return $"The {what} is not valid JSON: {e.Message}";
        }
    }

    public static string? Commands(IReadOnlyList<string>? commands)
    {
        if (commands is null || commands.Count == 0)
        {
            return "Give the worker at least one argument: the job name (for example echo, report, sleep).";
        }

        for (var i = 0; i < commands.Count; i++)
        {
            if (string.IsNullOrEmpty(commands[i]))
            {
                return $"Argument {i + 1} is empty; remove it or give it a value.";
            }
        }

        return null;
    }

    /// <summary>Names as POSIX shells and ECS accept them, each once.</summary>
    public static IReadOnlyDictionary<int, string> Environment(IReadOnlyList<EnvironmentVariable>? environment)
    {
        var errors = new Dictionary<int, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (environment?.Count ?? 0); i++)
        {
            var variable = environment![i];
            if (string.IsNullOrEmpty(variable.Name) || !EnvironmentName().IsMatch(variable.Name))
            {
                errors[i] = $"'{variable.Name}' is not a valid variable name: use letters, digits and _ and do not start with a digit ([A-Za-z_][A-Za-z0-9_]*).";
            }
            else if (!seen.Add(variable.Name))
            {
                errors[i] = $"{variable.Name} is set twice; keep one.";
            }
            else if (variable.Value is null)
            {
                errors[i] = $"{variable.Name} has no value (an empty value is fine).";
            }
        }

        return errors;
    }

    /// <summary>The size of the container override the workflow will send to RunTask, against ECS's 8 192-character limit.</summary>
    public static string? ContainerOverrideSize(IReadOnlyList<string> commands, IReadOnlyList<EnvironmentVariable> environment)
    {
        var overrides = new JsonObject
        {
            ["containerOverrides"] = new JsonArray(new JsonObject
            {
                ["name"] = WorkerContainerName,
                ["command"] = new JsonArray([.. commands.Select(c => (JsonNode?)JsonValue.Create(c))]),
                ["environment"] = new JsonArray([.. environment.Select(e => (JsonNode?)new JsonObject { ["name"] = e.Name, ["value"] = e.Value })]),
            }),
        };
        var length = overrides.ToJsonString().Length;
        return length > MaxContainerOverrideLength
            ? $"The commands and environment make a container override of {length:N0} characters; ECS accepts at most {MaxContainerOverrideLength:N0}."
            : null;
    }

    public static string? ErrorName(string? error) =>
        error is { Length: > MaxErrorLength } ? $"An error name may have at most {MaxErrorLength} characters; this one has {error.Length}." : null;

    public static string? Cause(string? cause) =>
        cause is { Length: > MaxCauseLength } ? $"A cause may have at most {MaxCauseLength:N0} characters; this one has {cause.Length:N0}." : null;

    /// <summary>Adds the length problems of an error name and cause (a stop's, a failed callback's) at their fields.</summary>
    public static void ErrorAndCause(Dictionary<string, string[]> errors, string? error, string? cause)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (ErrorName(error) is { } errorProblem)
        {
            errors["error"] = [errorProblem];
        }

        if (Cause(cause) is { } causeProblem)
        {
            errors["cause"] = [causeProblem];
        }
    }

    private static bool IsForbiddenInName(char c) =>
        char.IsWhiteSpace(c) || c is '<' or '>' or '{' or '}' or '[' or ']' or '?' or '*' or '"' or '#' or '%' or '\\' or '^' or '|' or '~' or '`' or '$' or '&' or ',' or ';' or ':' or '/'
        || c <= '\u001F' || c is >= '\u007F' and <= '\u009F' || c is '\uFFFE' or '\uFFFF' || char.IsSurrogate(c);

    private static string Describe(char c) => char.IsWhiteSpace(c) ? "white space" : c < ' ' || c is >= '\u007F' and <= '\u009F' ? $"control character U+{(int)c:X4}" : $"'{c}'";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
