using System.Globalization;
using BatchOps.Aws.Configuration;
using BatchOps.Aws.Credentials;
using BatchOps.Aws.Signing;
using Microsoft.Extensions.Logging;

namespace BatchOps.Aws.Runtime;

/// <summary>
/// Sends one service's operations: fills idempotency tokens, marshals, waits for the rate limiter, signs
/// (SigV4), sends, and retries throttling on any call and 5xx or network failures on retry-safe calls, with
/// exponential backoff and full jitter. Errors become the model's typed exceptions. A request refused as signed at
/// the wrong time teaches the runtime the service's clock (its Date header), as the SDKs do: it is signed again with
/// that correction, and so is every later request.
/// </summary>
public sealed partial class AwsServiceRuntime
{
    private readonly AwsServiceDescription _service;
    private readonly HttpClient _http;
    private readonly AwsClientOptions _options;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly ClientRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryBackoff _backoff;
    private readonly AwsClientMetrics? _metrics;

    // The service's clock minus ours, in ticks (0 until a request is refused as skewed); read and written atomically.
    private long _clockSkewTicks;

    public AwsServiceRuntime(
        AwsServiceDescription service,
        HttpClient http,
        AwsClientOptions options,
        IAwsCredentialsProvider credentials,
        ClientRateLimiter limiter,
        TimeProvider time,
        ILogger<AwsServiceRuntime> logger,
        Func<string, string?>? environment = null,
        Func<double>? jitter = null,
        AwsClientMetrics? metrics = null)
    {
        _metrics = metrics;
        _service = service;
        _http = http;
        _options = options;
        _credentials = credentials;
        _limiter = limiter;
        _time = time;
        _logger = logger;
        _backoff = new RetryBackoff(options.BaseDelay, options.MaxBackoff, jitter ?? Random.Shared.NextDouble);
        environment ??= Environment.GetEnvironmentVariable;
        Region = AwsEndpointResolver.ResolveRegion(options, environment)
            ?? throw new InvalidOperationException("No AWS region is configured: set Aws:Region, AWS_REGION or a profile region.");
        Endpoint = AwsEndpointResolver.Resolve(service, options, Region, environment);
    }

    public Uri Endpoint { get; }

    public string Region { get; }

    public AwsServiceDescription Service => _service;

    /// <summary>How far the service's clock is ahead of ours, as last learned from a refused request; requests are signed with it added.</summary>
    public TimeSpan ClockSkew => TimeSpan.FromTicks(Interlocked.Read(ref _clockSkewTicks));

    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(AwsOperation<TRequest, TResponse> operation, TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        var outcome = "Success";
        try
        {
            return await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            outcome = e.ErrorCode;
            throw;
        }
        catch (AwsTransportException)
        {
            outcome = "Transport";
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "Canceled";
            throw;
        }
        finally
        {
            _metrics?.Called(_service.ServiceId, operation.Name, outcome, _time.GetElapsedTime(started));
        }
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(AwsOperation<TRequest, TResponse> operation, TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {

        // Tokens are filled once so that every retry carries the same one.
        request = operation.FillIdempotencyTokens?.Invoke(request, NewIdempotencyToken) ?? request;
        var marshalled = AwsRequestMarshaller.Marshal(_service, operation, request);
        var retrySafe = operation.IsRetrySafe(request);

        for (var attempt = 1; ; attempt++)
        {
            await _limiter.AcquireAsync(_service.ServiceId, operation.Name, cancellationToken).ConfigureAwait(false);
            using var message = await CreateSignedMessageAsync(marshalled, cancellationToken).ConfigureAwait(false);
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_options.RequestTimeout);

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (retrySafe && attempt < _options.MaxAttempts)
                {
                    var delay = _backoff.DelayAfter(attempt);
                    LogTransportRetry(_service.ServiceId, operation.Name, attempt, delay.TotalMilliseconds, ex.Message);
                    _metrics?.Retried(_service.ServiceId, operation.Name, "Transport");
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new AwsTransportException(operation.Name, Endpoint, ex);
            }

            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if ((int)response.StatusCode is >= 200 and < 300)
                {
                    var result = AwsRequestMarshaller.Unmarshal<TResponse>(body);
                    if (result is AmazonWebServiceResponse metadata)
                    {
                        metadata.ResponseMetadata = new ResponseMetadata(AwsErrorParser.RequestId(response.Headers));
                        metadata.HttpStatusCode = response.StatusCode;
                    }

                    return result;
                }

                var error = AwsErrorParser.Parse(response.StatusCode, response.Headers, response.Content.Headers, body);
                if (AwsErrorClassifier.IsClockSkew(error) && response.Headers.Date is { } serverNow && attempt < _options.MaxAttempts && LearnClockSkew(serverNow))
                {
                    // Not acted on (refused before it ran): sent again at once, signed with the service's time.
                    LogClockSkew(_service.ServiceId, operation.Name, error.ErrorCode, ClockSkew.TotalSeconds);
                    _metrics?.Retried(_service.ServiceId, operation.Name, "ClockSkew");
                    continue;
                }

                var throttled = AwsErrorClassifier.IsThrottling(error);
                if ((throttled || (retrySafe && AwsErrorClassifier.IsTransient(error))) && attempt < _options.MaxAttempts)
                {
                    var delay = _backoff.DelayAfter(attempt);
                    LogErrorRetry(_service.ServiceId, operation.Name, attempt, delay.TotalMilliseconds, error.ErrorCode, (int)error.StatusCode, error.RequestId);
                    _metrics?.Retried(_service.ServiceId, operation.Name, throttled ? "Throttling" : "Transient");
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw _service.CreateException(error);
            }
        }
    }

    private static string NewIdempotencyToken() => Guid.NewGuid().ToString();

    /// <summary>Takes the service's Date as its clock; true when that changes the correction (a second refusal with the same correction is final).</summary>
    private bool LearnClockSkew(DateTimeOffset serverNow)
    {
        // The Date header has whole seconds: a correction within two seconds of the current one is the same.
        var skew = serverNow - _time.GetUtcNow();
        var previous = TimeSpan.FromTicks(Interlocked.Exchange(ref _clockSkewTicks, skew.Ticks));
        return (skew - previous).Duration() > TimeSpan.FromSeconds(2);
    }

    private async Task<HttpRequestMessage> CreateSignedMessageAsync(MarshalledRequest request, CancellationToken cancellationToken)
    {
        var uri = AwsRequestMarshaller.RequestUri(Endpoint, request.PathAndQuery);
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var now = (_time.GetUtcNow() + ClockSkew).UtcDateTime;

        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", uri.Authority),
            new("X-Amz-Date", now.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture)),
        };
        if (request.ContentType is not null)
        {
            headers.Add(new("Content-Type", request.ContentType));
        }

        headers.AddRange(request.Headers);

        var query = uri.Query.Length > 0 ? uri.Query[1..] : string.Empty;
        var signature = SigV4Signer.Sign(new SigV4Request(request.Method, uri.AbsolutePath, query, headers, request.Body), credentials, Region, _service.SigningName, now);
        headers.AddRange(signature.AddedHeaders);

        var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        if (request.Body.Length > 0 || request.ContentType is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue; // HttpClient writes Host from the URI; it is the same value we signed.
            }

            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
                continue;
            }

            message.Headers.TryAddWithoutValidation(name, value);
        }

        message.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return message;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {Operation} attempt {Attempt} failed with {ErrorCode} (HTTP {Status}, request id {RequestId}); retrying in {DelayMs:0} ms")]
    private partial void LogErrorRetry(string service, string operation, int attempt, double delayMs, string errorCode, int status, string? requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {Operation} was refused as signed at the wrong time ({ErrorCode}): this machine's clock is {SkewSeconds:0} s behind the service's (negative: ahead); signing with that correction from now on")]
    private partial void LogClockSkew(string service, string operation, string errorCode, double skewSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {Operation} attempt {Attempt} could not reach the endpoint ({Reason}); retrying in {DelayMs:0} ms")]
    private partial void LogTransportRetry(string service, string operation, int attempt, double delayMs, string reason);
}
