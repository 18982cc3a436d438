namespace BatchOps.Dashboard.Features.Auth;

/// <summary>The dashboard's roles (OpenID Connect app roles in AWS mode; the local operator holds all three).</summary>
public static class BatchOpsRoles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Admin = "Admin";
}

/// <summary>Authorization policies. Pages need <see cref="View"/>; operator actions will need <see cref="Operate"/>.</summary>
public static class BatchOpsPolicies
{
    public const string View = "batchops.view";
    public const string Operate = "batchops.operate";
    public const string Administer = "batchops.admin";
}
