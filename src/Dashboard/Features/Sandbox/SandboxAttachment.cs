using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Sandbox;

/// <summary>
/// Sandbox:Attach: a sandbox someone else started. Nothing to start or stop; the dashboard waits for it to answer
/// before its sync starts, and refuses to start with a clear message when it never does.
/// </summary>
public sealed partial class SandboxAttachment(SandboxAdminClient sandbox, SandboxEndpoint endpoint, IOptions<SandboxModeOptions> options, TimeProvider time, ILogger<SandboxAttachment> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.StartTimeout;
        while (!await sandbox.IsHealthyAsync(cancellationToken).ConfigureAwait(false))
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException($"Sandbox:Attach is set but no sandbox answers at {endpoint.Uri} (waited {options.Value.StartTimeout}). Start one with `dotnet run --project src/Sandbox -- --urls {endpoint.Uri.GetLeftPart(UriPartial.Authority)}`.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }

        LogAttached(endpoint.Uri);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Using the sandbox already running at {Endpoint}")]
    private partial void LogAttached(Uri endpoint);
}
