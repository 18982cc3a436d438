using BatchOps.Dashboard;
using BatchOps.Hosting;

// `dotnet run --project src/Dashboard`: sandbox mode by default (local AWS as a child process), AWS mode with BatchOps:Mode=Aws.
if (await HealthProbe.RunIfRequestedAsync(args) is { } probe)
{
    return probe;
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddBatchOpsSharedSettings();
builder.AddBatchOpsDashboard();
var app = builder.Build();
await app.UseBatchOpsDashboardAsync();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
