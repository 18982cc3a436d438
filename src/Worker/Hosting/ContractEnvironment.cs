using System.Text.Json;
using BatchOps.Contracts;

namespace BatchOps.Worker.Hosting;

/// <summary>The workflow contract's environment ([{"Name":..,"Value":..}]) passed as one JSON variable.</summary>
public static class ContractEnvironment
{
    public const string Variable = WorkerEnvironment.ContractEnvironment;

    /// <summary>Sets each entry as an environment variable of this process. Returns an error message for malformed JSON.</summary>
    public static string? Apply(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            var entries = JsonSerializer.Deserialize<List<EnvironmentVariable?>>(json) ?? [];
            if (entries.Any(e => string.IsNullOrEmpty(e?.Name)))
            {
                return $"{Variable} entries need a Name.";
            }

            foreach (var entry in entries.OfType<EnvironmentVariable>())
            {
                Environment.SetEnvironmentVariable(entry.Name, entry.Value ?? string.Empty);
            }

            return null;
        }
        catch (JsonException e)
        {
            return $"{Variable} must be a JSON array of {{\"Name\":..,\"Value\":..}} objects: {e.Message}";
        }
    }
}
