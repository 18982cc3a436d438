namespace BatchOps.Dashboard.Features.Auth;

/// <summary>The <c>Auth</c> section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Sign everyone in as a local operator without asking. Always on in sandbox mode; in AWS mode only allowed in the
    /// Development environment (OpenID Connect sign-in is the production path).
    /// </summary>
    public bool LocalOperator { get; set; }

    public string LocalOperatorName { get; set; } = "local-operator";
}
