using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Jobs;

/// <summary>Prints its arguments and the environment variables named in ECHO_ENV; shows overrides reached the container.</summary>
[BatchJob("echo", "[args...]", "print the arguments and the variables named in ECHO_ENV (default LOG_LEVEL), then succeed")]
public sealed partial class EchoJob : IBatchJob
{
    private static readonly string[] SecretMarkers = ["SECRET", "TOKEN", "PASSWORD", "KEY", "CREDENTIAL"];

    public Task<JsonNode?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var names = (context.Environment("ECHO_ENV") ?? "LOG_LEVEL")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var environment = new JsonObject();
        foreach (var name in names)
        {
            // Values of secret-looking variables never reach logs or outputs.
            var value = context.Environment(name);
            environment[name] = value is null ? null : IsSecret(name) ? "***" : value;
        }

        var output = new JsonObject
        {
            ["args"] = new JsonArray([.. context.Arguments.Select(a => JsonValue.Create(a))]),
            ["environment"] = environment,
        };
        var arguments = string.Join(' ', context.Arguments);
        var variables = environment.ToJsonString();
        Log.Echo(context.Logger, arguments, variables);
        return Task.FromResult<JsonNode?>(output);
    }

    private static bool IsSecret(string name) => SecretMarkers.Any(m => name.Contains(m, StringComparison.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "echo {Arguments} {Environment}")]
        public static partial void Echo(ILogger logger, string arguments, string environment);
    }
}
