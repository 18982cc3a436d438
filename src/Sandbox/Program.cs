using System.ComponentModel.DataAnnotations;
using System.Runtime.InteropServices;
using BatchOps.Hosting;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Identity;

// Standalone sandbox: `dotnet run --project src/Sandbox [-- --urls http://127.0.0.1:PORT] [--template path] [--no-template]`.
// Point any AWS client at it with AWS_ENDPOINT_URL=http://127.0.0.1:4599 (and any credentials).
if (await HealthProbe.RunIfRequestedAsync(args) is { } probe)
{
    return probe;
}

// Flags without a value become settings, so the configuration's command-line parser sees only key/value pairs.
var flags = new Dictionary<string, string> { ["--no-template"] = "Sandbox:NoTemplate", ["--stop-with-parent"] = "Sandbox:StopWithParent" };
var configuration = new ConfigurationBuilder()
    .AddBatchOpsSharedSettings()
    .AddEnvironmentVariables()
    .AddInMemoryCollection(Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is { Length: > 0 } urlsVariable ? [new("Sandbox:Url", urlsVariable)] : [])
    .AddInMemoryCollection(args.Where(flags.ContainsKey).Select(a => new KeyValuePair<string, string?>(flags[a], "true")))
    .AddCommandLine([.. args.Where(a => !flags.ContainsKey(a))], new Dictionary<string, string> { ["--urls"] = "Sandbox:Url", ["--template"] = "Sandbox:Template" })
    .Build();
var options = configuration.GetSection(SandboxHostOptions.SectionName).Get<SandboxHostOptions>() ?? new SandboxHostOptions();
var problems = new List<ValidationResult>();
if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
{
    await Console.Error.WriteLineAsync("error: " + string.Join("; ", problems.Select(p => $"Sandbox:{string.Join(',', p.MemberNames)}: {p.ErrorMessage}")));
    return 1;
}

// The synthesized CDK template: --template <path>, else the default the build recorded (the checked-in one).
var template = options.NoTemplate ? null : SandboxTemplates.Resolve(options.Template);
if (template is { Error: { } templateError })
{
    await Console.Error.WriteLineAsync($"error: {templateError}");
    return 1;
}

var ecs = SandboxImages.Configure(new EcsSandboxOptions(), configuration);
var time = options.TimeScale == 1 ? null : new ScaledTimeProvider(options.TimeScale);
await using var server = await SandboxServer.StartAsync(options.Url, time, logging: b => b.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole(), ecsOptions: ecs,
    allowedHosts: options.AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    identityIssuer: options.IdentityIssuer is null ? null : new Uri(options.IdentityIssuer),
    strictSignatures: options.StrictSignatures,
    adminToken: options.AdminToken,
    enforceIam: options.EnforceIam,
    // Like a fresh account, a sandbox with a template has the template's clusters only.
    defaultCluster: template is not { Path: not null });
if (template is { Path: { } templatePath })
{
    // Deploy what the sandbox emulates and say what it does not.
    var result = server.Deploy(await File.ReadAllTextAsync(templatePath));
    Console.WriteLine($"Deployed {result.Created.Count} resources from {templatePath}; not emulated: {result.NotEmulated.Count} ({string.Join(", ", result.NotEmulated.Values.Distinct().Order(StringComparer.Ordinal))})");
}

Console.WriteLine($"BatchOps sandbox listening on {server.Endpoint} (Step Functions, ECS, Scheduler). Set AWS_ENDPOINT_URL={server.Endpoint.ToString().TrimEnd('/')} to use it. Ctrl+C stops it.");
if (options.EnforceIam)
{
    Console.WriteLine($"  IAM enforced: calls need a key the sandbox handed out, and its role's policies must allow them (administrator key: {SandboxCredentials.AdministratorAccessKeyId} / {SandboxCredentials.AdministratorSecretAccessKey}).");
}

Console.WriteLine($"  identity provider (test users operator, viewer, admin): Oidc:Authority={options.IdentityIssuer ?? server.Issuer.AbsoluteUri} Oidc:ClientId={SandboxDirectory.DashboardClientId} Oidc:ClientSecret={SandboxDirectory.DashboardClientSecret}");
if (!ecs.Images.ContainsKey(SandboxImages.WorkerImage))
{
    Console.WriteLine($"  warning: no command for the worker image ({SandboxImages.WorkerImage}); its tasks fail with CannotPullContainerError. Build the solution, or set Sandbox:Images.");
}

foreach (var (image, command) in ecs.Images)
{
    Console.WriteLine($"  image {image} runs: {string.Join(' ', command)}");
}

using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
if (options.StopWithParent)
{
    // End of input means the parent is gone (or closed the pipe to ask for a stop).
    _ = Task.Run(async () =>
    {
        await using var input = Console.OpenStandardInput();
        await input.CopyToAsync(Stream.Null).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
    });
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C, SIGTERM or the parent gone: disposing the server stops Kestrel and every task process.
}

return 0;
