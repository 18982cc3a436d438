using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Signing;
using BatchOps.Aws.Ecs;
using BatchOps.Aws.Scheduler;
using BatchOps.Sandbox.Scheduler;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Ecs;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Deployment;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Iam;
using BatchOps.Sandbox.Identity;
using BatchOps.Sandbox.Integrations;
using BatchOps.Sandbox.StepFunctions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchOps.Sandbox.Http;

/// <summary>
/// The sandbox's single loopback endpoint. Requests are told apart by X-Amz-Target (awsJson services) and
/// must carry a SigV4 Authorization header (its form is checked, credentials are not).
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private int _disposed;

    /// <summary>The documented default: http://127.0.0.1:4599.</summary>
    public const string DefaultUrl = "http://127.0.0.1:4599";

    private const string StepFunctionsPrefix = "AWSStepFunctions.";
    private const string EcsPrefix = "AmazonEC2ContainerServiceV20141113.";

    private readonly WebApplication _app;

    private readonly CancellationTokenSource _stopping = new();
    private Task _clock = Task.CompletedTask;

    private SandboxServer(WebApplication app, StepFunctionsSandbox stepFunctions, EcsSandbox ecs, SchedulerSandbox scheduler, CannedResponses canned)
    {
        _app = app;
        StepFunctions = stepFunctions;
        Ecs = ecs;
        Scheduler = scheduler;
        CannedResponses = canned;
    }

    public static readonly IReadOnlyList<string> LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>The sandbox's clock (scaled by Sandbox:TimeScale, or a test's).</summary>
    public TimeProvider Time { get; private init; } = TimeProvider.System;

    public SchedulerSandbox Scheduler { get; }

    public ApiFaults Faults { get; private init; } = null!;

    /// <summary>Deploys a synthesized CloudFormation template (see <see cref="TemplateDeployer"/>).</summary>
    public DeployResult Deploy(string templateJson, string stackName = "BatchOps")
    {
        var result = new TemplateDeployer(StepFunctions, Ecs, Scheduler, new SandboxAccount(), stackName, Iam).Deploy(templateJson);
        if (result.ServiceTaskRoles is [var dashboardRole, ..])
        {
            // The dashboard's sandbox-mode credentials act as the task role its ECS service has in the template.
            Credentials.Bind(SandboxCredentials.DashboardAccessKeyId, SandboxPrincipal.OfRole(dashboardRole, "dashboard"));
        }

        return result;
    }

    /// <summary>The roles and policies of the deployed template, and the check of every call (see <see cref="SandboxIam.Enforce"/>).</summary>
    public SandboxIam Iam { get; private init; } = null!;

    private SandboxPermissions Permissions { get; init; } = null!;

    public StepFunctionsSandbox StepFunctions { get; }

    public EcsSandbox Ecs { get; }

    public CannedResponses CannedResponses { get; }

    /// <summary>The credentials it hands out and the signature check of every request.</summary>
    public SandboxCredentials Credentials { get; private init; } = new();

    /// <summary>The development identity provider's users and sessions.</summary>
    public SandboxDirectory Directory { get; private init; } = null!;

    /// <summary>The identity provider's issuer (the dashboard's Oidc:Authority or AzureAd:Instance + tenant).</summary>
    public Uri Issuer => new(Endpoint, SandboxIdentityProvider.IssuerPath);

    internal IServiceProvider Services => _app.Services;

    public Uri Endpoint => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Starts the sandbox on <paramref name="url"/> (port 0 picks a free port).</summary>
    /// <param name="allowedHosts">The host names it answers to (a web page elsewhere cannot reach it by rebinding a name to 127.0.0.1); loopback names by default.</param>
    /// <param name="identityIssuer">The identity provider's issuer as browsers reach it, when not the sandbox's own address (a container).</param>
    /// <param name="strictSignatures">Refuse access keys the sandbox did not hand out (by default any well-formed signature of an unknown key passes).</param>
    /// <param name="adminToken">Require this token on the admin API (and accept it from non-loopback callers: a container's published port).</param>
    /// <param name="defaultCluster">Create ECS's "default" cluster (RunTask without a cluster); a deployed template brings its own.</param>
    /// <param name="enforceIam">Refuse every call and integration the caller's role does not allow (and every key the sandbox did not hand out).</param>
    public static async Task<SandboxServer> StartAsync(string url = DefaultUrl, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null, EcsSandboxOptions? ecsOptions = null, IReadOnlyList<string>? allowedHosts = null, Uri? identityIssuer = null, bool strictSignatures = false, string? adminToken = null, bool enforceIam = false, bool defaultCluster = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Services.AddHostFiltering(o => o.AllowedHosts = [.. allowedHosts ?? LoopbackHosts]);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        var directory = new SandboxDirectory();
        builder.Services.AddSandboxIdentity(directory, identityIssuer);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var app = builder.Build();
        time ??= TimeProvider.System;
        var tokens = new TaskTokens();
        var canned = new CannedResponses(tokens, time);
        // Notifications go nowhere in the sandbox but succeed, as a topic without subscribers does.
        canned.SetDefault("sns:publish", new CannedResponse(Return: new System.Text.Json.Nodes.JsonObject { ["MessageId"] = "00000000-0000-0000-0000-000000000000" }));
        // Messages to a queue are accepted as an empty queue accepts them; a .waitForTaskToken task then waits for
        // its consumer (a test, or a person with the token from GET /_sandbox/canned-calls).
        canned.SetDefault("sqs:sendMessage", new CannedResponse(Return: new System.Text.Json.Nodes.JsonObject { ["MessageId"] = "00000000-0000-0000-0000-000000000001" }));
        canned.SetDefault("aws-sdk:sqs:sendMessage", new CannedResponse(Return: new System.Text.Json.Nodes.JsonObject { ["MessageId"] = "00000000-0000-0000-0000-000000000001" }));
        var account = new SandboxAccount();
        var iam = new SandboxIam(account) { Enforce = enforceIam };
        var credentials = new SandboxCredentials { Strict = strictSignatures || enforceIam };
        credentials.Bind(SandboxCredentials.AdministratorAccessKeyId, iam.Administrator);
        // Until a template says which roles they act as, the dashboard's and the worker's keys are roles without policies.
        credentials.Bind(SandboxCredentials.DashboardAccessKeyId, SandboxPrincipal.OfRole($"arn:aws:iam::{account.Id}:role/BatchOpsDashboard", "dashboard"));
        credentials.Bind(SandboxCredentials.WorkerAccessKeyId, SandboxPrincipal.OfRole($"arn:aws:iam::{account.Id}:role/BatchOpsWorker", "worker"));
        var ecs = new EcsSandbox(ecsOptions ?? new EcsSandboxOptions(), time, account)
        {
            // A task signs as its task role's session, named after the task as ECS names it.
            TaskRoleCredentials = (role, taskArn) => credentials.Issue(SandboxPrincipal.OfRole(role, taskArn[(taskArn.LastIndexOf('/') + 1)..])),
        };
        if (defaultCluster)
        {
            ecs.CreateCluster(new() { ClusterName = "default" });
        }

        var permissions = new SandboxPermissions(account, ecs, tokens);
        // ECS first: canned responses answer whatever no real integration handles. Each makes its calls as the state machine's role.
        StepFunctionsSandbox? stepFunctions = null;
        ITaskIntegration[] integrations = [new EcsIntegration(ecs), new StepFunctionsIntegration(() => stepFunctions!), canned];
        var interpreter = new Interpreter([.. integrations.Select(i => new AuthorizingIntegration(i, iam, permissions))], tokens, time, new Random());
        stepFunctions = new StepFunctionsSandbox(interpreter, tokens, time, account);
        var scheduler = new SchedulerSandbox(() => stepFunctions, time, account)
        {
            Authorize = (role, requests) => iam.Check(SandboxPrincipal.OfRole(role, "scheduler"), requests),
        };
        var server = new SandboxServer(app, stepFunctions, ecs, scheduler, canned) { Faults = new ApiFaults(time), Time = time, Directory = directory, Credentials = credentials, Iam = iam, Permissions = permissions, AdminToken = string.IsNullOrEmpty(adminToken) ? null : adminToken };
        app.UseHostFiltering();
        app.UseAuthentication();
        app.MapPost("/", server.HandleAsync);
        app.MapSandboxIdentity();
        server.MapAdmin(app);
        server.MapScheduler(app);
        await app.StartAsync().ConfigureAwait(false);
        // The identity provider's options need the address just bound (its issuer); built now, not on the first request.
        _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpenIddict.Server.OpenIddictServerOptions>>().CurrentValue;
        ecs.Endpoint = server.Endpoint;
        server._clock = scheduler.RunAsync(server._stopping.Token);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        try
        {
            var body = await ReadSignedBodyAsync(context).ConfigureAwait(false);
            var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            var fault = await Faults.ApplyAsync(operation, context.RequestAborted).ConfigureAwait(false);
            var isEcs = target.StartsWith(EcsPrefix, StringComparison.Ordinal);
            Authorize(context, isEcs ? "ecs" : target.StartsWith(StepFunctionsPrefix, StringComparison.Ordinal) ? "states" : "unknown", operation, body, null);
            object response = target.StartsWith(StepFunctionsPrefix, StringComparison.Ordinal)
                ? await StepFunctionsAsync(target[StepFunctionsPrefix.Length..], body).ConfigureAwait(false)
                : isEcs
                    ? await EcsAsync(target[EcsPrefix.Length..], body).ConfigureAwait(false)
                    : throw new SandboxErrorException("UnknownOperationException", $"The sandbox does not serve the operation '{target}'.");
            context.Response.ContentType = isEcs ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            var json = JsonSerializer.SerializeToNode(response, response.GetType(), AwsJson.Options);
            if (fault == ApiFaultKind.RepeatPageToken && json is JsonObject page && JsonNode.Parse(body.Length == 0 ? "{}" : body)?["nextToken"] is { } given)
            {
                page["nextToken"] = given.DeepClone();
            }

            await context.Response.WriteAsync(json?.ToJsonString() ?? "{}", context.RequestAborted).ConfigureAwait(false);
        }
        catch (SandboxErrorException e)
        {
            await ErrorAsync(context, e.Status, e.Code, e.Message).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, HttpStatusCode.BadRequest, "ValidationException", $"The request body is not valid for {target}: {e.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>Refuses the call with AccessDeniedException when the caller's role may not make it (with enforcement on).</summary>
    private void Authorize(HttpContext context, string service, string operation, string body, IReadOnlyDictionary<string, string?>? path)
    {
        if (Credentials.PrincipalOf(context.Request) is not { } principal)
        {
            // A key the sandbox did not hand out: only accepted with enforcement off, and then nothing is checked.
            return;
        }

        JsonNode? parsed;
        try
        {
            parsed = body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            // The operation reports the malformed body itself.
            return;
        }

        if (Iam.Check(principal, Permissions.ForApi(service, operation, parsed, path)) is { } refused)
        {
            throw new SandboxErrorException("AccessDeniedException", refused, service == "scheduler" ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest);
        }
    }

    /// <summary>The request's body, once its signature is checked (<see cref="SandboxCredentials"/>); refused with AWS's error otherwise.</summary>
    private async Task<string> ReadSignedBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (Credentials.Check(context.Request, buffer.GetBuffer().AsMemory(0, (int)buffer.Length)) is { } refused)
        {
            throw new SandboxErrorException(refused.Code, refused.Message, HttpStatusCode.Forbidden);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A request body as the operation's request record (an empty body is an empty object).</summary>
    private static T Read<T>(string body) =>
        JsonSerializer.Deserialize<T>(body.Length == 0 ? "{}" : body, AwsJson.Options) ?? throw new JsonException("empty body");

    private static Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/x-amz-json-1.0";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var ecs = context.Request.Headers["X-Amz-Target"].ToString().StartsWith(EcsPrefix, StringComparison.Ordinal);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = (ecs ? string.Empty : "com.amazonaws.swf.service.v2.model#") + code, ["message"] = message });
        return context.Response.WriteAsync(body);
    }

    private async Task<object> StepFunctionsAsync(string operation, string body)
    {
        var sfn = StepFunctions;
        return operation switch
        {
            "CreateStateMachine" => sfn.CreateStateMachine(Read<CreateStateMachineRequest>(body)),
            "DeleteStateMachine" => sfn.DeleteStateMachine(Read<DeleteStateMachineRequest>(body)),
            "DescribeStateMachine" => sfn.DescribeStateMachine(Read<DescribeStateMachineRequest>(body)),
            "DescribeStateMachineForExecution" => sfn.DescribeStateMachineForExecution(Read<DescribeStateMachineForExecutionRequest>(body)),
            "ListStateMachines" => sfn.ListStateMachines(Read<ListStateMachinesRequest>(body)),
            "ListTagsForResource" => sfn.ListTagsForResource(Read<Aws.StepFunctions.ListTagsForResourceRequest>(body)),
            "UpdateStateMachine" => sfn.UpdateStateMachine(Read<UpdateStateMachineRequest>(body)),
            "TagResource" => sfn.TagResource(Read<Aws.StepFunctions.TagResourceRequest>(body)),
            "UntagResource" => sfn.UntagResource(Read<Aws.StepFunctions.UntagResourceRequest>(body)),
            "StartExecution" => sfn.StartExecution(Read<StartExecutionRequest>(body)),
            "DescribeExecution" => sfn.DescribeExecution(Read<DescribeExecutionRequest>(body)),
            "ListExecutions" => sfn.ListExecutions(Read<ListExecutionsRequest>(body)),
            "GetExecutionHistory" => sfn.GetExecutionHistory(Read<GetExecutionHistoryRequest>(body)),
            "StopExecution" => await sfn.StopExecutionAsync(Read<StopExecutionRequest>(body)).ConfigureAwait(false),
            "RedriveExecution" => sfn.RedriveExecution(Read<RedriveExecutionRequest>(body)),
            "SendTaskSuccess" => sfn.SendTaskSuccess(Read<SendTaskSuccessRequest>(body)),
            "SendTaskFailure" => sfn.SendTaskFailure(Read<SendTaskFailureRequest>(body)),
            "SendTaskHeartbeat" => sfn.SendTaskHeartbeat(Read<SendTaskHeartbeatRequest>(body)),
            _ => throw new SandboxErrorException("UnknownOperationException", $"Step Functions operation '{operation}' is not served by the sandbox."),
        };
    }

    private async Task<object> EcsAsync(string operation, string body)
    {
        return operation switch
        {
            "CreateCluster" => Ecs.CreateCluster(Read<CreateClusterRequest>(body)),
            "ListClusters" => Ecs.ListClusters(Read<ListClustersRequest>(body)),
            "DescribeClusters" => Ecs.DescribeClusters(Read<DescribeClustersRequest>(body)),
            "RegisterTaskDefinition" => Ecs.RegisterTaskDefinition(Read<RegisterTaskDefinitionRequest>(body)),
            "ListTaskDefinitions" => Ecs.ListTaskDefinitions(Read<ListTaskDefinitionsRequest>(body)),
            "ListTaskDefinitionFamilies" => Ecs.ListTaskDefinitionFamilies(Read<ListTaskDefinitionFamiliesRequest>(body)),
            "DeregisterTaskDefinition" => Ecs.DeregisterTaskDefinition(Read<DeregisterTaskDefinitionRequest>(body)),
            "ListContainerInstances" => Ecs.ListContainerInstances(Read<ListContainerInstancesRequest>(body)),
            "DescribeContainerInstances" => Ecs.DescribeContainerInstances(Read<DescribeContainerInstancesRequest>(body)),
            "ListServices" => Ecs.ListServices(Read<ListServicesRequest>(body)),
            "TagResource" => Ecs.TagResource(Read<Aws.Ecs.TagResourceRequest>(body)),
            "UntagResource" => Ecs.UntagResource(Read<Aws.Ecs.UntagResourceRequest>(body)),
            "ListTagsForResource" => Ecs.ListTagsForResource(Read<Aws.Ecs.ListTagsForResourceRequest>(body)),
            "DescribeTaskDefinition" => Ecs.DescribeTaskDefinition(Read<DescribeTaskDefinitionRequest>(body)),
            "RunTask" => Ecs.RunTask(Read<RunTaskRequest>(body)),
            "DescribeTasks" => Ecs.DescribeTasks(Read<DescribeTasksRequest>(body)),
            "ListTasks" => Ecs.ListTasks(Read<ListTasksRequest>(body)),
            "StopTask" => await Ecs.StopTaskAsync(Read<StopTaskRequest>(body)).ConfigureAwait(false),
            _ => throw new SandboxErrorException("UnknownOperationException", $"ECS operation '{operation}' is not served by the sandbox."),
        };
    }

    /// <summary>
    /// The admin API (<c>/_sandbox/*</c>, unsigned, loopback callers only), what a test or the dashboard's sandbox mode
    /// uses beside the AWS APIs:
    /// <c>GET /_sandbox/health</c> (with the sandbox's clock: now and timeScale);
    /// <c>POST /_sandbox/faults</c> {"Operation":"StartExecution","Kind":"Throttle|ServerError|Latency","Count":2,"LatencyMilliseconds":0};
    /// <c>POST /_sandbox/ecs-faults</c> {"Family":"batch-job","Fault":"CannotPullContainer|ResourceInitialization|Capacity|OutOfMemory|SpotInterruption","Count":1};
    /// <c>DELETE /_sandbox/ecs-faults[?family=batch-job]</c> clears the ECS faults still queued;
    /// <c>GET /_sandbox/canned-calls[?execution=&lt;ARN&gt;]</c>, the calls answered with canned responses (with their task tokens);
    /// <c>GET /_sandbox/task-logs?task=&lt;task ARN&gt;</c>, the output of the process a task ran (the stand-in for CloudWatch Logs);
    /// <c>POST /_sandbox/deploy</c> with a CloudFormation template as the body: deploys it (seeding a fresh sandbox).
    /// </summary>
    private void MapAdmin(WebApplication app)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        var admin = app.MapGroup("/_sandbox").AddEndpointFilter(async (context, next) =>
            AdminRefusal(context.HttpContext) is { } refusal
                ? Results.Problem(refusal, statusCode: StatusCodes.Status403Forbidden)
                : await next(context).ConfigureAwait(false));
        // The clock too: a dashboard on a sandbox with a faster clock (TimeScale) keeps its "now" on the sandbox's.
        admin.MapGet("/health", () => Results.Ok(new { status = "Healthy", now = Time.GetUtcNow(), timeScale = Time is Hosting.ScaledTimeProvider scaled ? scaled.Factor : 1 }));
        admin.MapSandboxIdentityAdmin(TimeProvider.System);
        admin.MapPost("/faults", async (HttpContext c) =>
        {
            var fault = await c.Request.ReadFromJsonAsync<ApiFault>(options, c.RequestAborted).ConfigureAwait(false);
            if (fault is null || string.IsNullOrEmpty(fault.Operation) || fault.Count is < 1 or > EcsSandbox.MaxFaults)
            {
                return Results.BadRequest(new { message = $"Expected {{\"Operation\":\"StartExecution\",\"Kind\":\"Throttle|ServerError|Latency\",\"Count\":1,\"LatencyMilliseconds\":0}} with Count from 1 to {EcsSandbox.MaxFaults}." });
            }

            Faults.Inject(fault);
            return Results.Ok(fault);
        });
        admin.MapPost("/ecs-faults", async (HttpContext c) =>
        {
            var fault = await c.Request.ReadFromJsonAsync<EcsFaultRequest>(options, c.RequestAborted).ConfigureAwait(false);
            if (fault is null || string.IsNullOrEmpty(fault.Family) || fault.Count is < 1 or > EcsSandbox.MaxFaults)
            {
                return Results.BadRequest(new { message = $"Expected {{\"Family\":\"batch-job\",\"Fault\":\"CannotPullContainer|ResourceInitialization|Capacity|OutOfMemory|SpotInterruption\",\"Count\":1}} with Count from 1 to {EcsSandbox.MaxFaults}." });
            }

            Ecs.InjectFault(fault.Family, fault.Fault, fault.Count);
            return Results.Ok(fault);
        });
        admin.MapDelete("/ecs-faults", (string? family) =>
        {
            // Clears what is still queued (all families without ?family=): the next tasks run as they would.
            var cleared = Ecs.ClearFaults(family);
            return Results.Ok(new { cleared });
        });
        admin.MapGet("/canned-calls", (string? execution) =>
            Results.Ok(CannedResponses.Calls.Where(c => execution is null || c.ExecutionArn == execution)));
        admin.MapGet("/task-logs", (string? task) =>
            task is null ? Results.BadRequest(new { message = "Pass ?task=<task ARN>." })
            : Ecs.Logs(task) is { Count: > 0 } lines ? Results.Text(string.Join('\n', lines) + "\n", "text/plain; charset=utf-8")
            : Results.NotFound(new { message = $"The sandbox has no output for {task} (unknown task, or stopped more than an hour ago)." }));
        admin.MapPost("/deploy", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            var template = await reader.ReadToEndAsync(c.RequestAborted).ConfigureAwait(false);
            try
            {
                var result = Deploy(template);
                return Results.Ok(new { created = result.Created, notEmulated = result.NotEmulated });
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or SandboxErrorException)
            {
                return Results.BadRequest(new { message = $"The template could not be deployed: {e.Message}" });
            }
        });
    }

    /// <summary>
    /// Who may use the admin API: loopback callers, and with <see cref="AdminToken"/> set only those presenting it
    /// (X-Sandbox-Admin-Token), from anywhere (a container's published port); the health check stays open.
    /// </summary>
    private string? AdminRefusal(HttpContext context)
    {
        var loopback = context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
        if (AdminToken is null)
        {
            return loopback ? null : "The sandbox's admin API answers loopback callers only (or set Sandbox:AdminToken and send it as X-Sandbox-Admin-Token).";
        }

        if (context.Request.Path.StartsWithSegments("/_sandbox/health", StringComparison.Ordinal))
        {
            return null;
        }

        var presented = System.Text.Encoding.UTF8.GetBytes(context.Request.Headers["X-Sandbox-Admin-Token"].ToString());
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, System.Text.Encoding.UTF8.GetBytes(AdminToken))
            ? null
            : "The sandbox's admin API needs its token: send Sandbox:AdminToken as the X-Sandbox-Admin-Token header.";
    }

    /// <summary>The admin API's token (Sandbox:AdminToken); null: loopback callers only, no token.</summary>
    public string? AdminToken { get; private init; }

    private sealed record EcsFaultRequest(string Family, EcsFault Fault, int Count = 1);

    /// <summary>Scheduler's restJson1 routes; members bound to the path and query are filled after the body is read.</summary>
    private void MapScheduler(WebApplication app)
    {
        var sch = Scheduler;
        static string? Q(HttpContext c, string name) => c.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
        static int? QInt(HttpContext c, string name) => int.TryParse(Q(c, name), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
        static string R(HttpContext c, string name) => Uri.UnescapeDataString((string)c.Request.RouteValues[name]!);
        app.MapGet("/schedules", c => RestAsync<ListSchedulesRequest>(c, "ListSchedules", r => sch.ListSchedules(r with { GroupName = Q(c, "ScheduleGroup"), NamePrefix = Q(c, "NamePrefix"), State = Q(c, "State"), MaxResults = QInt(c, "MaxResults"), NextToken = Q(c, "NextToken") })));
        app.MapGet("/schedules/{name}", c => RestAsync<GetScheduleRequest>(c, "GetSchedule", r => sch.GetSchedule(r with { Name = R(c, "name"), GroupName = Q(c, "groupName") })));
        app.MapPost("/schedules/{name}", c => RestAsync<CreateScheduleRequest>(c, "CreateSchedule", r => sch.CreateSchedule(r with { Name = R(c, "name") })));
        app.MapPut("/schedules/{name}", c => RestAsync<UpdateScheduleRequest>(c, "UpdateSchedule", r => sch.UpdateSchedule(r with { Name = R(c, "name") })));
        app.MapDelete("/schedules/{name}", c => RestAsync<DeleteScheduleRequest>(c, "DeleteSchedule", r => sch.DeleteSchedule(r with { Name = R(c, "name"), GroupName = Q(c, "groupName"), ClientToken = Q(c, "clientToken") })));
        app.MapGet("/schedule-groups", c => RestAsync<ListScheduleGroupsRequest>(c, "ListScheduleGroups", r => sch.ListScheduleGroups(r with { NamePrefix = Q(c, "NamePrefix"), MaxResults = QInt(c, "MaxResults"), NextToken = Q(c, "NextToken") })));
        app.MapPost("/schedule-groups/{name}", c => RestAsync<CreateScheduleGroupRequest>(c, "CreateScheduleGroup", r => sch.CreateScheduleGroup(r with { Name = R(c, "name") })));
        app.MapGet("/schedule-groups/{name}", c => RestAsync<GetScheduleGroupRequest>(c, "GetScheduleGroup", r => sch.GetScheduleGroup(r with { Name = R(c, "name") })));
        app.MapGet("/tags/{*arn}", c => RestAsync<Aws.Scheduler.ListTagsForResourceRequest>(c, "ListTagsForResource", r => sch.ListTagsForResource(r with { ResourceArn = R(c, "arn") })));
        app.MapPost("/tags/{*arn}", c => RestAsync<Aws.Scheduler.TagResourceRequest>(c, "TagResource", r => sch.TagResource(r with { ResourceArn = R(c, "arn") })));
    }

    private async Task RestAsync<TRequest>(HttpContext context, string operation, Func<TRequest, object> handle)
    {
        try
        {
            await Faults.ApplyAsync(operation, context.RequestAborted).ConfigureAwait(false);
            var body = await ReadSignedBodyAsync(context).ConfigureAwait(false);
            var path = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["name"] = context.Request.RouteValues.TryGetValue("name", out var name) ? Uri.UnescapeDataString(name?.ToString() ?? string.Empty) : null,
                ["arn"] = context.Request.RouteValues.TryGetValue("arn", out var arn) ? Uri.UnescapeDataString(arn?.ToString() ?? string.Empty) : null,
                ["groupName"] = context.Request.Query.TryGetValue("groupName", out var group) ? group.ToString() : null,
            };
            Authorize(context, "scheduler", operation, body, path);
            var request = Read<TRequest>(body);
            var response = handle(request);
            context.Response.ContentType = "application/json";
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            await context.Response.WriteAsync(JsonSerializer.Serialize(response, response.GetType(), AwsJson.Options), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxErrorException or JsonException)
        {
            var (status, code) = e is SandboxErrorException s ? (s.Status, s.Code) : (HttpStatusCode.BadRequest, "ValidationException");
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["x-amzn-ErrorType"] = code;
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["Message"] = e.Message }), context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the clock, every task process and the HTTP server. Idempotent (a host and its owner may both dispose it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _clock.ConfigureAwait(false);
        await Ecs.StopAllAsync().ConfigureAwait(false);
        _stopping.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
