using System.Net;
using System.Net.Http.Json;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>ECS faults the sandbox injects into the next tasks of a task definition family (its admin API's names).</summary>
public enum SandboxEcsFault
{
    CannotPullContainer,
    ResourceInitialization,
    Capacity,
    OutOfMemory,
    SpotInterruption,
}

/// <summary>The sandbox's admin API over HTTP (<c>/_sandbox/*</c>, documented in the README): ECS faults and task logs.</summary>
public sealed class SandboxAdminClient(HttpClient http)
{
    /// <summary>The sandbox's clock: its now and how much faster than real time it runs; null when it does not answer.</summary>
    public async Task<(DateTimeOffset Now, double Scale)?> GetClockAsync(CancellationToken cancellationToken)
    {
        try
        {
            var health = await http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(new Uri("_sandbox/health", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return health?["now"]?.GetValue<DateTimeOffset>() is { } now ? (now, health["timeScale"]?.GetValue<double>() ?? 1) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>True when the sandbox answers its health check.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("_sandbox/health", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task InjectEcsFaultAsync(string family, SandboxEcsFault fault, CancellationToken cancellationToken, int count = 1)
    {
        using var response = await http.PostAsJsonAsync(new Uri("_sandbox/ecs-faults", UriKind.Relative), new { Family = family, Fault = fault.ToString(), Count = count }, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The output of the process a task ran, or null when the sandbox no longer knows the task.</summary>
    public async Task<string?> GetTaskLogsAsync(string taskArn, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("_sandbox/task-logs?task=" + Uri.EscapeDataString(taskArn), UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
