using BatchOps.Aws.Configuration;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;

// Standalone sandbox: `dotnet run --project src/Sandbox [-- --urls http://127.0.0.1:PORT] [--template cdk.out/BatchOps.template.json]`.
// Point any AWS client at it with AWS_ENDPOINT_URL=http://127.0.0.1:4599 (and any credentials).
if (await BatchOps.Aws.Hosting.HealthProbe.RunIfRequestedAsync(args) is { } probe)
{
    return probe;
}

var configuration = new ConfigurationBuilder()
    .AddBatchOpsSharedSettings()
    .AddEnvironmentVariables()
    .Build();
var urls = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault()
    ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS")
    ?? SandboxServer.DefaultUrl;
// The synthesized CDK template: --template <path>, else the checked-in one (src/Infrastructure/synth); --no-template skips it.
var template = args.Contains("--no-template") ? null : SandboxTemplates.Resolve(args.SkipWhile(a => a != "--template").Skip(1).FirstOrDefault());
if (template is { Error: { } templateError })
{
    await Console.Error.WriteLineAsync($"error: {templateError}");
    return 1;
}

var ecs = SandboxImages.Configure(new EcsSandboxOptions(), configuration);
await using var server = await SandboxServer.StartAsync(urls, logging: b => b.AddSimpleConsole(), ecsOptions: ecs);
if (template is { Path: { } templatePath })
{
    // Deploy what the sandbox emulates and say what it does not.
    var result = server.Deploy(await File.ReadAllTextAsync(templatePath));
    Console.WriteLine($"Deployed {result.Created.Count} resources from {templatePath}; not emulated: {result.NotEmulated.Count} ({string.Join(", ", result.NotEmulated.Values.Distinct().Order(StringComparer.Ordinal))})");
}

Console.WriteLine($"BatchOps sandbox listening on {server.Endpoint} (Step Functions, ECS, Scheduler). Set AWS_ENDPOINT_URL={server.Endpoint.ToString().TrimEnd('/')} to use it. Ctrl+C stops it.");
foreach (var (image, command) in ecs.Images)
{
    Console.WriteLine($"  image {image} runs: {string.Join(' ', command)}");
}

using var stop = new CancellationTokenSource();
void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}

using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C or SIGTERM: disposing the server stops Kestrel and every task process.
}

return 0;
