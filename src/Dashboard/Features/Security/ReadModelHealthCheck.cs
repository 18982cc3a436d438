using BatchOps.Dashboard.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchOps.Dashboard.Features.Security;

/// <summary><c>/healthz</c> is healthy only while the read model answers: without it no page can show anything.</summary>
public sealed class ReadModelHealthCheck(IDbContextFactory<ReadModelDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The read model does not answer.");
        }
#pragma warning disable CA1031 // Any failure to reach the database is "unhealthy", reported, not thrown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The read model does not answer.", e);
        }
    }
}
