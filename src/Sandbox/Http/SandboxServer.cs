using System.Net;
using System.Text.Json;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.Signing;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Hosting;
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
    /// <summary>The documented default: http://127.0.0.1:4599.</summary>
    public const string DefaultUrl = "http://127.0.0.1:4599";

    private const string StepFunctionsPrefix = "AWSStepFunctions.";

    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, StepFunctionsSandbox stepFunctions, CannedResponses canned)
    {
        _app = app;
        StepFunctions = stepFunctions;
        CannedResponses = canned;
    }

    public StepFunctionsSandbox StepFunctions { get; }

    public CannedResponses CannedResponses { get; }

    public Uri Endpoint => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Starts the sandbox on <paramref name="url"/> (port 0 picks a free port).</summary>
    public static async Task<SandboxServer> StartAsync(string url = DefaultUrl, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var app = builder.Build();
        time ??= TimeProvider.System;
        var tokens = new TaskTokens();
        var canned = new CannedResponses(tokens);
        var interpreter = new Interpreter([canned], tokens, time, new Random());
        var stepFunctions = new StepFunctionsSandbox(interpreter, tokens, time, new SandboxAccount());
        var server = new SandboxServer(app, stepFunctions, canned);
        app.MapPost("/", server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        try
        {
            if (!SigV4Authorization.TryParse(context.Request.Headers.Authorization, out _, out var signatureProblem))
            {
                throw new SandboxErrorException("MissingAuthenticationTokenException", signatureProblem, HttpStatusCode.Forbidden);
            }

            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            object response = target.StartsWith(StepFunctionsPrefix, StringComparison.Ordinal)
                ? await StepFunctionsAsync(target[StepFunctionsPrefix.Length..], body).ConfigureAwait(false)
                : throw new SandboxErrorException("UnknownOperationException", $"The sandbox does not serve the operation '{target}'.");
            context.Response.ContentType = "application/x-amz-json-1.0";
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            await context.Response.WriteAsync(JsonSerializer.Serialize(response, response.GetType(), AwsJson.Options), context.RequestAborted).ConfigureAwait(false);
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

    private static Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/x-amz-json-1.0";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = "com.amazonaws.swf.service.v2.model#" + code, ["message"] = message });
        return context.Response.WriteAsync(body);
    }

    private async Task<object> StepFunctionsAsync(string operation, string body)
    {
        T Read<T>() => JsonSerializer.Deserialize<T>(body.Length == 0 ? "{}" : body, AwsJson.Options) ?? throw new JsonException("empty body");
        var sfn = StepFunctions;
        return operation switch
        {
            "CreateStateMachine" => sfn.CreateStateMachine(Read<CreateStateMachineRequest>()),
            "DeleteStateMachine" => sfn.DeleteStateMachine(Read<DeleteStateMachineRequest>()),
            "DescribeStateMachine" => sfn.DescribeStateMachine(Read<DescribeStateMachineRequest>()),
            "DescribeStateMachineForExecution" => sfn.DescribeStateMachineForExecution(Read<DescribeStateMachineForExecutionRequest>()),
            "ListStateMachines" => sfn.ListStateMachines(Read<ListStateMachinesRequest>()),
            "ListTagsForResource" => sfn.ListTagsForResource(Read<ListTagsForResourceRequest>()),
            "StartExecution" => sfn.StartExecution(Read<StartExecutionRequest>()),
            "DescribeExecution" => sfn.DescribeExecution(Read<DescribeExecutionRequest>()),
            "ListExecutions" => sfn.ListExecutions(Read<ListExecutionsRequest>()),
            "GetExecutionHistory" => sfn.GetExecutionHistory(Read<GetExecutionHistoryRequest>()),
            "StopExecution" => await sfn.StopExecutionAsync(Read<StopExecutionRequest>()).ConfigureAwait(false),
            "RedriveExecution" => sfn.RedriveExecution(Read<RedriveExecutionRequest>()),
            "SendTaskSuccess" => sfn.SendTaskSuccess(Read<SendTaskSuccessRequest>()),
            "SendTaskFailure" => sfn.SendTaskFailure(Read<SendTaskFailureRequest>()),
            "SendTaskHeartbeat" => sfn.SendTaskHeartbeat(Read<SendTaskHeartbeatRequest>()),
            _ => throw new SandboxErrorException("UnknownOperationException", $"Step Functions operation '{operation}' is not served by the sandbox."),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
