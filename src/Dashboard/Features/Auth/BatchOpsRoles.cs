namespace BatchOps.Dashboard.Features.Auth;

/// <summary>The dashboard's roles, mapped from the identity provider's app roles or groups (<see cref="RoleMapping"/>).</summary>
public static class BatchOpsRoles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Admin = "Admin";
}

/// <summary>Authorization policies: pages need <see cref="View"/>, operator actions <see cref="Operate"/>, answering task tokens, deleting schedules and the background jobs <see cref="Administer"/>.</summary>
public static class BatchOpsPolicies
{
    public const string View = "batchops.view";
    public const string Operate = "batchops.operate";
    public const string Administer = "batchops.admin";
}
