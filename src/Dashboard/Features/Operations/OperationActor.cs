using System.Security.Claims;
using BatchOps.Dashboard.Features.Auth;
using BatchOps.Dashboard.ReadModel;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// Who asks for an operation, and with which roles. Every service method that acts takes one and checks it itself:
/// hiding a button is a courtesy, this is the rule.
/// </summary>
public sealed record OperationActor(string Name, IReadOnlySet<string> Roles, string? Id = null)
{
    public static OperationActor From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var name = user.Identity?.IsAuthenticated == true ? user.Identity.Name ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown" : "anonymous";
        var roles = user.Identity?.IsAuthenticated == true
            ? user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal)
            : [];
        // Entra's object id, else the OpenID subject, else the name identifier: stable however the display name changes.
        var id = user.Identity?.IsAuthenticated == true
            ? user.FindFirstValue("http://schemas.microsoft.com/identity/claims/objectidentifier") ?? user.FindFirstValue("oid") ?? user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
            : null;
        return new OperationActor(name, roles, id);
    }

    /// <summary>The role an operation needs: Operator for the everyday actions, Admin for answering a task token or deleting a schedule.</summary>
    public static string RequiredRole(OperationKind kind) => kind switch
    {
        OperationKind.SendTaskSuccess or OperationKind.SendTaskFailure or OperationKind.DeleteSchedule => BatchOpsRoles.Admin,
        _ => BatchOpsRoles.Operator,
    };

    /// <summary>Admins may do everything an Operator may.</summary>
    public bool May(OperationKind kind)
    {
        var role = RequiredRole(kind);
        return Roles.Contains(BatchOpsRoles.Admin) || Roles.Contains(role);
    }
}
