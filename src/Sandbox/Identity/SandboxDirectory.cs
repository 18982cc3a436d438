using System.Collections.Concurrent;

namespace BatchOps.Sandbox.Identity;

/// <summary>What the provider may be asked to get wrong in the next id token it issues (tests of the client's checks).</summary>
public enum IdTokenFault
{
    BadSignature,
    WrongIssuer,
    WrongAudience,
    Expired,
}

/// <summary>A test user of the development identity provider, with the app roles it holds now (an admin may change them).</summary>
public sealed record SandboxUser(string Name, string DisplayName, string ObjectId, IReadOnlyList<string> Roles)
{
    public string Email => $"{Name}@sandbox.batchops.local";
}

/// <summary>
/// The development identity provider's directory: three test users, their app roles (as Entra names them), the
/// signed-in sessions and the authorization codes already redeemed. An admin call can change a user's roles or end
/// their sessions, as a directory administrator would; the dashboard notices at its next revalidation.
/// </summary>
public sealed class SandboxDirectory
{
    /// <summary>The tenant the provider presents itself as (Entra-shaped paths and the <c>tid</c> claim).</summary>
    public const string TenantId = "8f0c6a3e-5b1d-4c2a-9e7f-0a1b2c3d4e5f";

    /// <summary>The dashboard's registration: a confidential client (code flow with PKCE and a secret).</summary>
    public const string DashboardClientId = "batchops-dashboard";

    public const string DashboardClientSecret = "batchops-sandbox-secret";

    public const string ViewerRole = "BatchOps.Viewer";
    public const string OperatorRole = "BatchOps.Operator";
    public const string AdminRole = "BatchOps.Admin";

    private readonly ConcurrentDictionary<string, SandboxUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _redeemedCodes = new(StringComparer.Ordinal);

    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<IdTokenFault> _idTokenFaults = new();

    /// <param name="time">Real time by default: codes and tokens expire on the wall clock, as OpenIddict's own checks do.</param>
    public SandboxDirectory(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        // The operator first: the sign-in page lists them in this order.
        foreach (var user in new[]
        {
            new SandboxUser("operator", "Olu Operator", "a3c1e2f4-0000-4000-8000-000000000002", [OperatorRole]),
            new SandboxUser("viewer", "Vera Viewer", "a3c1e2f4-0000-4000-8000-000000000001", [ViewerRole]),
            new SandboxUser("admin", "Ada Admin", "a3c1e2f4-0000-4000-8000-000000000003", [AdminRole]),
        })
        {
            _users[user.Name] = user;
        }
    }

    public static IReadOnlyList<string> KnownRoles { get; } = [ViewerRole, OperatorRole, AdminRole];

    private static readonly string[] Order = ["operator", "viewer", "admin"];

    public IReadOnlyList<SandboxUser> Users => [.. Order.Select(n => _users[n])];

    public SandboxUser? Find(string? name) => name is not null && _users.TryGetValue(name, out var user) ? user : null;

    /// <summary>Replaces a user's app roles; tokens issued from now on carry the new ones.</summary>
    public SandboxUser SetRoles(SandboxUser user, IReadOnlyList<string> roles) =>
        _users.AddOrUpdate(user.Name, _ => user with { Roles = roles }, (_, current) => current with { Roles = roles });

    /// <summary>A new signed-in session of <paramref name="user"/>: its id is the tokens' <c>sid</c>.</summary>
    public string StartSession(SandboxUser user)
    {
        var sid = Guid.NewGuid().ToString("N");
        _sessions[sid] = user.Name;
        return sid;
    }

    public bool IsActive(string? sid) => sid is not null && _sessions.ContainsKey(sid);

    public void EndSession(string? sid)
    {
        if (sid is not null)
        {
            _sessions.TryRemove(sid, out _);
        }
    }

    /// <summary>Ends every session of the user (a directory admin's "revoke sessions"); refresh tokens stop working.</summary>
    public int EndSessions(SandboxUser user)
    {
        var ended = 0;
        foreach (var (sid, name) in _sessions)
        {
            if (name == user.Name && _sessions.TryRemove(sid, out _))
            {
                ended++;
            }
        }

        return ended;
    }

    /// <summary>The next id token the token endpoint issues carries this fault.</summary>
    public void EnqueueIdTokenFault(IdTokenFault fault) => _idTokenFaults.Enqueue(fault);

    public bool TryTakeIdTokenFault(out IdTokenFault fault) => _idTokenFaults.TryDequeue(out fault);

    /// <summary>
    /// Marks an authorization code redeemed; false when it already was. (The provider runs without a token store, so it
    /// remembers codes itself: a code is good once.)
    /// </summary>
    public bool Redeem(string code)
    {
        var now = _time.GetUtcNow();
        foreach (var (old, at) in _redeemedCodes)
        {
            // Codes live five minutes: older entries can never be presented again successfully.
            if (now - at > TimeSpan.FromMinutes(10))
            {
                _redeemedCodes.TryRemove(old, out _);
            }
        }

        return _redeemedCodes.TryAdd(code, now);
    }
}
