using BatchOps.Sandbox.Http;

// Standalone sandbox: `dotnet run --project src/Sandbox [-- --urls http://127.0.0.1:PORT]`.
// Point any AWS client at it with AWS_ENDPOINT_URL=http://127.0.0.1:4599 (and any credentials).
var urls = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault()
    ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS")
    ?? SandboxServer.DefaultUrl;
await using var server = await SandboxServer.StartAsync(urls, logging: b => b.AddSimpleConsole());
if (args.SkipWhile(a => a != "--template").Skip(1).FirstOrDefault() is { } templatePath)
{
    // A synthesized CDK template: deploy what the sandbox emulates and say what it does not.
    var result = server.Deploy(await File.ReadAllTextAsync(templatePath));
    Console.WriteLine($"Deployed {result.Created.Count} resources from {templatePath}; not emulated: {string.Join(", ", result.NotEmulated.Select(r => $"{r.Key} ({r.Value})"))}");
}

Console.WriteLine($"BatchOps sandbox listening on {server.Endpoint} (Step Functions). Set AWS_ENDPOINT_URL={server.Endpoint.ToString().TrimEnd('/')} to use it. Ctrl+C stops it.");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C or SIGTERM: dispose stops Kestrel.
}
