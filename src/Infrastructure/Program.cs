using Amazon.CDK;
using BatchOps.Infrastructure;

// The CDK app: `dotnet run --project src/Infrastructure` synthesizes to ./cdk.out (offline); the CDK CLI
// works too (cdk.json). Context keys: workerImageTag, workerCpu, workerMemoryMiB, maxRetryAttempts.
// The CDK CLI sets CDK_OUTDIR; run directly, the template goes to ./cdk.out.
var app = new App(new AppProps { Outdir = System.Environment.GetEnvironmentVariable("CDK_OUTDIR") ?? "cdk.out" });
BatchOpsStack.Create(app);
app.Synth();
