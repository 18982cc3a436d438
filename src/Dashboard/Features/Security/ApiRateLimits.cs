using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace BatchOps.Dashboard.Features.Security;

/// <summary>The <c>RateLimits</c> section: how many API calls one user (or address, before sign-in) may make per window.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";
    public const string ApiPolicy = "api";
    public const string SignInPolicy = "signin";

    /// <summary>Sign-in attempts per address per <see cref="SignInWindow"/>: enough for a team behind one NAT, not for a flood at the provider.</summary>
    [Range(1, 10_000)]
    public int SignInPermits { get; set; } = 30;

    public TimeSpan SignInWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Changes (POST, PUT, DELETE) per user per window.</summary>
    [Range(1, 100_000)]
    public int ApiPermits { get; set; } = 120;

    /// <summary>Reads per user per window: scripts poll an operation until it completes.</summary>
    [Range(1, 1_000_000)]
    public int ApiReadPermits { get; set; } = 1200;

    public TimeSpan ApiWindow { get; set; } = TimeSpan.FromSeconds(10);
}

public static class ApiRateLimits
{
    /// <summary>A fixed window per signed-in user (or per address): a runaway script gets 429 with Retry-After, the pages are unaffected.</summary>
    public static IServiceCollection AddBatchOpsRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitOptions.ApiPolicy, context =>
            {
                var reads = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
                var who = context.User.Identity?.IsAuthenticated == true ? "user:" + context.User.Identity.Name : "address:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(
                    (reads ? "read " : "write ") + who,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = reads ? options.ApiReadPermits : options.ApiPermits, Window = options.ApiWindow, QueueLimit = 0 });
            });
            o.AddPolicy(RateLimitOptions.SignInPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                "signin " + context.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInPermits, Window = options.SignInWindow, QueueLimit = 0 }));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var signIn = context.HttpContext.Request.Path.StartsWithSegments(Navigation.DashboardUrls.SignInPath, StringComparison.Ordinal);
                var window = signIn ? options.SignInWindow : options.ApiWindow;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(window.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsJsonAsync(
                    new Microsoft.AspNetCore.Mvc.ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = signIn ? $"At most {options.SignInPermits} sign-ins per {options.SignInWindow.TotalSeconds:0} s from one address; try again after Retry-After seconds."
                            : HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method)
                            ? $"At most {options.ApiReadPermits} API reads per {options.ApiWindow.TotalSeconds:0} s per user; try again after Retry-After seconds."
                            : $"At most {options.ApiPermits} API changes per {options.ApiWindow.TotalSeconds:0} s per user; try again after Retry-After seconds.",
                    },
                    options: null,
                    contentType: "application/problem+json",
                    cancellationToken).ConfigureAwait(false);
            };
        });
        return services;
    }
}
