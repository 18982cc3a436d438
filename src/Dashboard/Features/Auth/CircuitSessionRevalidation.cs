using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Auth;

/// <summary>
/// An open Blazor circuit never reads the cookie again, so it asks the provider itself: every
/// <see cref="AuthOptions.RevalidationInterval"/> it checks the session (<see cref="ProviderSessionCheck"/>). A user
/// signed out or stripped of every role becomes anonymous; one whose roles changed gets the new ones. Either way the
/// page re-renders (buttons go) and the action services, which read this state, refuse.
/// </summary>
public sealed partial class CircuitSessionRevalidation : ServerAuthenticationStateProvider, IDisposable
{
    private readonly ProviderSessionCheck _check;
    private readonly TimeSpan _interval;
    private readonly ILogger<CircuitSessionRevalidation> _logger;
    private readonly CancellationTokenSource _stop = new();
    private int _started;
    private int _disposed;

    public CircuitSessionRevalidation(ProviderSessionCheck check, IOptions<AuthOptions> options, ILogger<CircuitSessionRevalidation> logger)
    {
        _check = check;
        _interval = options.Value.RevalidationInterval;
        _logger = logger;
        AuthenticationStateChanged += OnChanged;
    }

    private void OnChanged(Task<AuthenticationState> state)
    {
        // The first state is the one the circuit starts with: from then on one loop checks whatever is current.
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = RevalidateAsync(_stop.Token);
        }
    }

    private async Task RevalidateAsync(CancellationToken cancellationToken)
    {
        // Sessions live in real time (as the cookie's lifetime does), whatever clock the pages show.
        using var timer = new PeriodicTimer(_interval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var user = (await GetAuthenticationStateAsync().ConfigureAwait(false)).User;
                if (user.Identity?.IsAuthenticated != true)
                {
                    return;
                }

                var result = await _check.CheckAsync(user, TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                switch (result.Verdict)
                {
                    case SessionVerdict.Ended:
                        LogEnded(_logger, user.Identity.Name, result.Detail);
                        SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
                        return;
                    case SessionVerdict.RolesChanged:
                        LogRolesChanged(_logger, user.Identity.Name, result.Detail);
                        SetAuthenticationState(Task.FromResult(new AuthenticationState(RoleMapping.WithRoles(user, result.Roles))));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The circuit closed.
        }
    }

    /// <summary>Idempotent: the scope disposes it once as each of the two services it is registered as.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AuthenticationStateChanged -= OnChanged;
        _stop.Cancel();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Open page of {User}: session ended ({Detail})")]
    private static partial void LogEnded(ILogger logger, string? user, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Open page of {User}: {Detail}")]
    private static partial void LogRolesChanged(ILogger logger, string? user, string detail);
}
