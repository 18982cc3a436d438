using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchOps.TestSupport;

/// <summary>A request as the loopback server saw it.</summary>
public sealed record CapturedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan At);

/// <summary>
/// A real HTTP server on 127.0.0.1 that records requests and answers from a script, so client tests go
/// through Kestrel, sockets and HttpClient exactly as they would against AWS.
/// </summary>
public sealed class LoopbackAwsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private LoopbackAwsServer(WebApplication app) => _app = app;

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>What the server answers when the script is empty.</summary>
    public Func<HttpContext, Task> Default { get; set; } = ctx => Json(ctx, 200, "{}");

    public static async Task<LoopbackAwsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackAwsServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public void Enqueue(Func<HttpContext, Task> response) => _script.Enqueue(response);

    public void EnqueueJson(int status, string body, string? errorType = null) =>
        Enqueue(ctx =>
        {
            if (errorType is not null)
            {
                ctx.Response.Headers["x-amzn-ErrorType"] = errorType;
            }

            return Json(ctx, status, body);
        });

    public static Task Json(HttpContext ctx, int status, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/x-amz-json-1.0";
        ctx.Response.Headers["x-amzn-RequestId"] = "req-" + status;
        return ctx.Response.WriteAsync(body);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new CapturedRequest(ctx.Request.Method, ctx.Request.Path.ToUriComponent(), ctx.Request.QueryString.Value ?? string.Empty, headers, body, _clock.Elapsed));
        var respond = _script.TryDequeue(out var scripted) ? scripted : Default;
        await respond(ctx);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
