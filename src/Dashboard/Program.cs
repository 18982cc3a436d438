using BatchOps.Aws;
using BatchOps.Aws.Configuration;

// Start-up shell: the dashboard's pages, read model and sandbox mode arrive with their issues. Until then
// this host validates the AWS settings and answers the health check, so deployments can be wired up.
if (await BatchOps.Aws.Hosting.HealthProbe.RunIfRequestedAsync(args) is { } probe)
{
    return probe;
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddBatchOpsSharedSettings();
builder.Services.AddBatchOpsAws(builder.Configuration);
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/healthz");
app.MapGet("/", () => Results.Text(
    "BatchOps dashboard host is running. The executions, schedules and operator pages are not built yet; see README.md for the status of each part.\n",
    "text/plain"));
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
