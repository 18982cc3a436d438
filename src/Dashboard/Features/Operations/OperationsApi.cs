using System.Text.Json;
using BatchOps.Contracts;
using BatchOps.Dashboard.Features.Executions;
using BatchOps.Dashboard.Features.Sandbox;
using BatchOps.Dashboard.Navigation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>Body of <c>POST /api/executions</c>: the state machine (name or ARN), its input as JSON, an optional execution name.</summary>
public sealed record StartExecutionBody(string Workflow, JsonElement? Input = null, string? Name = null);

/// <summary>Body of <c>POST /api/executions/{arn}/rerun</c>: what to change in the original's input (left out: kept).</summary>
public sealed record RerunBody(IReadOnlyList<string>? Commands = null, IReadOnlyList<EnvironmentVariable>? Environment = null, string? ResumeFrom = null, string? Name = null);

/// <summary>Body of <c>POST /api/executions/{arn}/stop</c>.</summary>
public sealed record StopBody(string? Error = null, string? Cause = null);

/// <summary>Body of <c>POST /api/executions/{arn}/callback</c>: outcome <c>success</c> (with output) or <c>failure</c> (with error and cause).</summary>
public sealed record CallbackBody(string Outcome, JsonElement? Output = null, string? Error = null, string? Cause = null);

/// <summary>What <c>POST /api/executions/{arn}/rerun/preview</c> answers: the input that would be sent, beside the original's.</summary>
public sealed record RerunPreview(string Name, string OriginalInput, string Input);

/// <summary>Where an execution's waiting task stands (the token itself is never shown).</summary>
public sealed record CallbackStateView(bool Waiting, bool CanRescue, string? StateName, string? TaskArn, string? TaskStatus, string? Reason);

/// <summary>
/// The operator actions over HTTP (<c>/api/...</c>, JSON, described at <c>/openapi/v1.json</c>): the same services as
/// the pages, so the same validation, roles and ledger. Errors are problem details. Every POST takes a JSON body
/// (send <c>{}</c> when there is nothing to say): with SameSite cookies that keeps other sites' forms out.
/// Send an <c>Idempotency-Key</c> header to make a retry of a start, re-run or bulk action safe.
/// </summary>
public static class OperationsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Maps the API and returns its route group, for the other features' endpoints (schedules).</summary>
    public static RouteGroupBuilder MapBatchOpsApi(this IEndpointRouteBuilder endpoints)
    {
        // Open in every mode to a session or a bearer token from the identity provider; each action checks the role.
        var api = endpoints.MapGroup(DashboardUrls.ApiPath).WithTags("BatchOps");

        api.AddEndpointFilter(async (context, next) =>
        {
            var request = context.HttpContext.Request;
            if (HttpMethods.IsPost(request.Method) && request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send JSON",
                    detail: "POST bodies must be JSON with Content-Type: application/json (send {} when there is nothing to say).");
            }

            return await next(context).ConfigureAwait(false);
        });

        api.MapGet("/workflows", async (WorkflowCatalog catalog, CancellationToken ct) => TypedResults.Ok(await catalog.ListAsync(ct).ConfigureAwait(false)))
            .WithName("ListWorkflows").WithSummary("The state machines the dashboard knows.");
        api.MapGet("/workflows/{workflow}", async Task<Results<Ok<WorkflowDescription>, ProblemHttpResult>> (string workflow, WorkflowCatalog catalog, CancellationToken ct) =>
                await catalog.DescribeAsync(workflow, ct).ConfigureAwait(false) is { } described ? TypedResults.Ok(described) : NotFound($"There is no state machine {workflow}."))
            .WithName("DescribeWorkflow").WithSummary("Whether a state machine takes the workflow contract's input, and the steps it can resume from.");

        api.MapPost("/executions", async (HttpContext http, ExecutionActions actions, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<StartExecutionBody>(http, ct).ConfigureAwait(false);
                return body is null ? error! : Answer(await actions.StartAsync(Actor(http), new StartRequest(body.Workflow, body.Input?.GetRawText(), body.Name, Key(http)), ct).ConfigureAwait(false));
            })
            .Accepts<StartExecutionBody>("application/json").Produces<OperationView>().Produces<OperationView>(StatusCodes.Status202Accepted).ProducesProblems()
            .WithName("StartExecution").WithSummary("Start a workflow.");

        api.MapPost("/executions/{executionArn}/redrive", async (string executionArn, HttpContext http, ExecutionActions actions, CancellationToken ct) =>
                Answer(await actions.RedriveAsync(Actor(http), executionArn, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("RedriveExecution").WithSummary("Redrive a failed, timed-out or aborted execution from where it failed (once per failure, however often it is asked).");

        api.MapPost("/executions/{executionArn}/rerun/preview", async (string executionArn, HttpContext http, ExecutionActions actions, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<RerunBody>(http, ct).ConfigureAwait(false);
                if (body is null)
                {
                    return error!;
                }

                var (plan, problem) = await actions.PlanRerunAsync(Actor(http), Rerun(executionArn, body, null), ct).ConfigureAwait(false);
                return plan is null ? Answer(problem!) : TypedResults.Ok(new RerunPreview(plan.Name, plan.OriginalInput, plan.Input));
            })
            .Accepts<RerunBody>("application/json").Produces<RerunPreview>().ProducesProblems().WithName("PreviewRerun").WithSummary("The input a re-run would send, beside the original's.");

        api.MapPost("/executions/{executionArn}/rerun", async (string executionArn, HttpContext http, ExecutionActions actions, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<RerunBody>(http, ct).ConfigureAwait(false);
                return body is null ? error! : Answer(await actions.RerunAsync(Actor(http), Rerun(executionArn, body, Key(http)), ct).ConfigureAwait(false));
            })
            .Accepts<RerunBody>("application/json").Produces<OperationView>().ProducesProblems().WithName("RerunExecution").WithSummary("Start a new execution from the original's input with these overrides, linked to it.");

        api.MapPost("/executions/{executionArn}/stop", async (string executionArn, HttpContext http, ExecutionActions actions, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<StopBody>(http, ct).ConfigureAwait(false);
                return body is null ? error! : Answer(await actions.StopAsync(Actor(http), new StopRequest(executionArn, body.Error, body.Cause), ct).ConfigureAwait(false));
            })
            .Accepts<StopBody>("application/json").Produces<OperationView>().ProducesProblems().WithName("StopExecution").WithSummary("Stop a running execution with an error and cause.");

        api.MapGet("/executions/{executionArn}/callback", async (string executionArn, ExecutionActions actions, CancellationToken ct) =>
            {
                var state = await actions.GetCallbackStateAsync(executionArn, ct).ConfigureAwait(false);
                return TypedResults.Ok(new CallbackStateView(state.Waiting is not null, state.CanRescue, state.Waiting?.StateName, state.Waiting?.TaskArn, state.TaskStatus, state.Reason));
            })
            .WithName("GetCallbackState").WithSummary("Whether the execution waits for a task token no worker is left to answer.");

        api.MapPost("/executions/{executionArn}/callback", async (string executionArn, HttpContext http, ExecutionActions actions, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<CallbackBody>(http, ct).ConfigureAwait(false);
                if (body is null)
                {
                    return error!;
                }

                if (body.Outcome is not ("success" or "failure"))
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["outcome"] = [$"'{body.Outcome}' is not success or failure."] });
                }

                var request = new CallbackRequest(executionArn, body.Outcome == "success", body.Output?.GetRawText(), body.Error, body.Cause);
                return Answer(await actions.SendCallbackAsync(Actor(http), request, ct).ConfigureAwait(false));
            })
            .Accepts<CallbackBody>("application/json").Produces<OperationView>().ProducesProblems().WithName("SendCallback")
            .WithSummary("Admins: answer the task an execution waits on (its token is read from the history) with success or failure.");

        api.MapPost("/bulk/preview", async (HttpContext http, BulkOperations bulk, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<BulkRequest>(http, ct).ConfigureAwait(false);
                if (body is null)
                {
                    return error!;
                }

                var (preview, problem) = await bulk.PreviewAsync(body, ct).ConfigureAwait(false);
                return preview is null ? Answer(problem!) : TypedResults.Ok(preview);
            })
            .Accepts<BulkRequest>("application/json").Produces<BulkPreview>().ProducesProblems().WithName("PreviewBulk").WithSummary("How many executions, and which, a bulk redrive or stop would cover.");

        api.MapPost("/bulk", async (HttpContext http, BulkOperations bulk, CancellationToken ct) =>
            {
                var (body, error) = await ReadAsync<BulkRequest>(http, ct).ConfigureAwait(false);
                return body is null ? error! : Answer(await bulk.StartAsync(Actor(http), body with { IdempotencyKey = Key(http) ?? body.IdempotencyKey }, ct).ConfigureAwait(false));
            })
            .Accepts<BulkRequest>("application/json").Produces<OperationView>(StatusCodes.Status202Accepted).ProducesProblems().WithName("StartBulk")
            .WithSummary("Redrive or stop many executions as a background job at a limited rate; follow it at /api/operations/{id}.");

        api.MapPost("/operations/{id:long}/cancel", async (long id, HttpContext http, BulkOperations bulk, CancellationToken ct) =>
                Answer(await bulk.CancelAsync(Actor(http), id, ct).ConfigureAwait(false)))
            .Produces<OperationView>(StatusCodes.Status202Accepted).ProducesProblems().WithName("CancelBulk").WithSummary("Stop a bulk operation: queued executions are left alone.");

        api.MapGet("/operations/{id:long}", async Task<Results<Ok<OperationDetail>, ProblemHttpResult>> (long id, OperationQueries queries, CancellationToken ct) =>
                await queries.GetAsync(id, ct).ConfigureAwait(false) is { } detail ? TypedResults.Ok(detail) : NotFound($"There is no operation {id}."))
            .WithName("GetOperation").WithSummary("One operation from the ledger, with a bulk operation's items.");

        api.MapGet("/operations", async (HttpContext http, OperationQueries queries, CancellationToken ct) =>
            {
                var problems = new List<string>();
                var filter = AuditFilter.Parse(http.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString()), problems);
                return problems.Count > 0
                    ? (IResult)TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["query"] = [.. problems] })
                    : TypedResults.Ok(await queries.GetPageAsync(filter, ct).ConfigureAwait(false));
            })
            .WithName("ListOperations").WithSummary("The audit log: operations newest first, filtered by actor, action, workflow, result and time.");
        return api;
    }

    /// <summary>The audit log as CSV (the audit page's export link), same filters as the page.</summary>
    public static IEndpointRouteBuilder MapAuditExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DashboardUrls.AuditCsvPath, async (HttpContext http, OperationQueries queries, CancellationToken ct) =>
        {
            var filter = AuditFilter.Parse(http.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString()));
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"batchops-audit-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
            await queries.WriteCsvAsync(filter, writer, ct).ConfigureAwait(false);
        }).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>The HTTP answer for a service result: 200/202 with the operation, or a problem.</summary>
    public static IResult Answer(OperationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Kind switch
        {
            OperationResultKind.Done when result.Operation is { Status: ReadModel.OperationStatus.Failed } failed => TypedResults.Problem(
                statusCode: StatusCodes.Status502BadGateway,
                title: "AWS did not carry it out",
                detail: $"{failed.ErrorCode}: {failed.ErrorMessage}",
                extensions: new Dictionary<string, object?> { ["operation"] = failed, ["awsErrorCode"] = failed.ErrorCode, ["awsRequestId"] = failed.AwsRequestId }),
            OperationResultKind.Done => TypedResults.Ok(result.Operation),
            OperationResultKind.Accepted => TypedResults.Accepted(DashboardUrls.ApiPath + "/operations/" + result.Operation!.Id, result.Operation),
            OperationResultKind.Invalid => TypedResults.ValidationProblem(result.Errors!.ToDictionary(), detail: result.Message),
            OperationResultKind.Refused => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: result.Message,
                extensions: new Dictionary<string, object?> { ["operation"] = result.Operation }),
            OperationResultKind.NotFound => NotFound(result.Message!),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Message),
        };
    }

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static OperationActor Actor(HttpContext http) => OperationActor.From(http.User);

    public static string? Key(HttpContext http) =>
        http.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var key) && key.ToString() is { Length: > 0 and <= 200 } value ? value : null;

    private static RerunRequest Rerun(string executionArn, RerunBody body, string? key) => new(executionArn, body.Commands, body.Environment, body.ResumeFrom, body.Name, key);

    /// <summary>Reads a JSON body of at most 1 MiB; malformed or oversize JSON is a 400 that says what is wrong.</summary>
    public static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpContext http, CancellationToken cancellationToken)
        where T : class
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"The body is {http.Request.ContentLength:N0} bytes; the API takes at most {MaxBodyBytes:N0}."));
        }

        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(new LimitedStream(buffer, MaxBodyBytes), cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            var body = await JsonSerializer.DeserializeAsync<T>(buffer, JsonSerializerOptions.Web, cancellationToken).ConfigureAwait(false);
            return body is null
                ? (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is empty (null); send a JSON object."] }))
                : (body, null);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON for this request: {e.Message}"] }));
        }
        catch (InvalidDataException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: e.Message));
        }
    }

    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder) => builder
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status502BadGateway);

    /// <summary>Writes through to a buffer and refuses to hold more than the limit (a chunked body has no Content-Length).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (inner.Length + count > limit)
            {
                throw new InvalidDataException($"The body is larger than {limit:N0} bytes, the most the API takes.");
            }

            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (inner.Length + buffer.Length > limit)
            {
                throw new InvalidDataException($"The body is larger than {limit:N0} bytes, the most the API takes.");
            }

            return inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
