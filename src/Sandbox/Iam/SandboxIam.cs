using System.Collections.Concurrent;
using System.Collections.Immutable;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Iam;

/// <summary>Who makes a call: a role's session (the dashboard's task role, a state machine's role, a task's role), or an administrator.</summary>
public sealed record SandboxPrincipal(string Account, string RoleName, string SessionName)
{
    public string RoleArn => $"arn:aws:iam::{Account}:role/{RoleName}";

    /// <summary>How AWS names the caller in an AccessDenied message.</summary>
    public string Arn => $"arn:aws:sts::{Account}:assumed-role/{RoleName}/{SessionName}";

    public static SandboxPrincipal OfRole(string roleArn, string sessionName)
    {
        ArgumentNullException.ThrowIfNull(roleArn);
        var parts = roleArn.Split(':', 6);
        var name = parts.Length == 6 && parts[5].StartsWith("role/", StringComparison.Ordinal) ? parts[5][(parts[5].LastIndexOf('/') + 1)..] : roleArn;
        var session = sessionName.Length > 64 ? sessionName[..64] : sessionName;
        return new SandboxPrincipal(parts.Length > 4 ? parts[4] : string.Empty, name, session);
    }
}

/// <summary>One authorization the sandbox made (tests read them to see what each role was asked for).</summary>
public sealed record IamDecision(string RoleArn, AuthorizationRequest Request, PolicyDecision Decision);

/// <summary>
/// IAM in the sandbox: the roles a deployed template defines with their identity-based policies, and the check of
/// every API request and every service integration against the calling role's policies. With <see cref="Enforce"/>
/// off (the standalone sandbox's default) decisions are still made and recorded, and nothing is refused.
/// </summary>
public sealed class SandboxIam
{
    /// <summary>The role the sandbox's administrator credentials act as: every action allowed.</summary>
    public const string AdministratorRoleName = "SandboxAdministrator";

    private static readonly PolicyDocument AdministratorAccess = new("AdministratorAccess", [new PolicyStatement(null, true, ["*"], false, ["*"], false, ImmutableDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>.Empty)]);

    private const int KeptDecisions = 10_000;
    private readonly ConcurrentDictionary<string, ImmutableList<PolicyDocument>> _roles = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IamDecision> _decisions = new();

    public SandboxIam(SandboxAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        Account = account;
        _roles[Administrator.RoleArn] = [AdministratorAccess];
    }

    public SandboxAccount Account { get; }

    /// <summary>Refuse what no policy allows (AccessDeniedException); off: only record.</summary>
    public bool Enforce { get; set; }

    public SandboxPrincipal Administrator => new(Account.Id, AdministratorRoleName, "sandbox-admin");

    /// <summary>The most recent decisions, oldest first.</summary>
    public IReadOnlyList<IamDecision> Decisions => [.. _decisions];

    public IReadOnlyCollection<string> Roles => [.. _roles.Keys];

    /// <summary>Defines (or redefines) a role with no policies.</summary>
    public void PutRole(string roleArn) => _roles[roleArn] = [];

    /// <summary>Attaches a policy to a role (replacing one of the same name), as an inline policy or AWS::IAM::Policy does.</summary>
    public void PutRolePolicy(string roleArn, PolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _roles.AddOrUpdate(roleArn, _ => [policy], (_, list) => list.RemoveAll(p => p.Name == policy.Name).Add(policy));
    }

    public IReadOnlyList<PolicyDocument> PoliciesOf(string roleArn) => _roles.TryGetValue(roleArn, out var list) ? list : [];

    /// <summary>Evaluates every request for the principal; the first refused one as AWS words it, or null when all are allowed (or enforcement is off).</summary>
    public string? Check(SandboxPrincipal principal, IEnumerable<AuthorizationRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(requests);
        var statements = PoliciesOf(principal.RoleArn).SelectMany(p => p.Statements).ToList();
        foreach (var request in requests)
        {
            var decision = PolicyEvaluator.Evaluate(statements, request);
            Record(new IamDecision(principal.RoleArn, request, decision));
            if (decision != PolicyDecision.Allow && Enforce)
            {
                return DeniedMessage(principal, request, decision);
            }
        }

        return null;
    }

    /// <summary>AWS's words for a refusal by identity-based policy.</summary>
    public static string DeniedMessage(SandboxPrincipal principal, AuthorizationRequest request, PolicyDecision decision)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(request);
        var why = decision == PolicyDecision.ExplicitDeny
            ? "with an explicit deny in an identity-based policy"
            : $"because no identity-based policy allows the {request.Action} action";
        return $"User: {principal.Arn} is not authorized to perform: {request.Action} on resource: {request.Resource} {why}";
    }

    private void Record(IamDecision decision)
    {
        _decisions.Enqueue(decision);
        while (_decisions.Count > KeptDecisions && _decisions.TryDequeue(out _))
        {
        }
    }
}
