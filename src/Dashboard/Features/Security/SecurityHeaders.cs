using BatchOps.Dashboard.Navigation;

namespace BatchOps.Dashboard.Features.Security;

/// <summary>
/// The headers every response carries: a Content-Security-Policy that allows only the dashboard's own scripts and
/// connections (MudBlazor needs inline styles, nothing needs inline scripts), no framing, no MIME sniffing, no
/// referrer to the AWS console links. HSTS is added by <c>UseHsts</c> on HTTPS outside Development.
/// </summary>
public static class SecurityHeaders
{
    /// <param name="identityProvider">The identity provider's origin: sign-out is a form whose answer redirects there.</param>
    public static string ContentSecurityPolicy(Uri identityProvider) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        + $"frame-ancestors 'none'; base-uri 'self'; form-action 'self' {identityProvider.GetLeftPart(UriPartial.Authority)}; object-src 'none'";

    public static IApplicationBuilder UseBatchOpsSecurityHeaders(this IApplicationBuilder app, Uri identityProvider)
    {
        var policy = ContentSecurityPolicy(identityProvider);
        return app.Use((context, next) =>
    {
        // The path as asked: Hangfire's branch (and status-code re-execution) change it before the response starts.
        var hangfire = context.Request.Path.StartsWithSegments(DashboardUrls.JobsPath, StringComparison.Ordinal);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            // Hangfire's own pages write inline scripts: they keep every other header, without the policy. A redirect to
            // sign in or a 403 page on its path is ours and keeps the policy.
            if (!hangfire || context.Response.StatusCode != StatusCodes.Status200OK)
            {
                headers.ContentSecurityPolicy = policy;
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
    }
}
