using BatchOps.Aws.Configuration;
using BatchOps.Dashboard;

// `dotnet run --project src/Dashboard`: sandbox mode by default (local AWS in-process), AWS mode with BatchOps:Mode=Aws.
if (await BatchOps.Aws.Hosting.HealthProbe.RunIfRequestedAsync(args) is { } probe)
{
    return probe;
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddBatchOpsSharedSettings();
var sandbox = await builder.AddBatchOpsDashboardAsync();
try
{
    var app = builder.Build();
    await app.UseBatchOpsDashboardAsync();
    await app.RunAsync();
}
finally
{
    // Normally the host already stopped it; this covers failures before the host started.
    if (sandbox is not null)
    {
        await sandbox.DisposeAsync();
    }
}

return 0;

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
