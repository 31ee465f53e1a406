using EksHardening.Operator.Facts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace EksHardening.Operator.Admission;

/// <summary>
/// POST /validate: reads an admission.k8s.io/v1 AdmissionReview (application/json, at most
/// <see cref="WebhookOptions.MaxBodyBytes"/>, enforced while reading), decides it, and answers with the
/// request's uid. Bad input gets a 4xx with a short reason of ours, never the caller's text: 415 for a content
/// type other than JSON, 413 for a body over the limit, 400 for malformed JSON or an envelope that is not an
/// AdmissionReview v1 with a request and uid. The decision runs against a budget
/// (<see cref="WebhookOptions.DecisionBudget"/>, the webhook timeout less one second): when it runs out, the
/// answer follows the failure policy (Ignore: admitted with a warning; Fail: denied with code 504), so the API
/// server hears from us before its own timeout instead of applying the failure policy blind.
/// </summary>
public sealed partial class AdmissionEndpoint(
    AdmissionDecider decider,
    IAdmissionContext context,
    IImageFacts images,
    WebhookOptions options,
    ILogger<AdmissionEndpoint> logger,
    AdmissionMetrics? metrics = null)
{
    public const string Path = "/validate";

    private long _reviews;
    private long _denied;
    private long _warned;
    private long _rejected;
    private long _timeouts;
    private long _failures;

    /// <summary>AdmissionReviews answered (any verdict).</summary>
    public long Reviews => Interlocked.Read(ref _reviews);
    public long Denied => Interlocked.Read(ref _denied);
    /// <summary>Admitted with at least one warning.</summary>
    public long Warned => Interlocked.Read(ref _warned);
    /// <summary>Requests refused with a 4xx (not an AdmissionReview we could read).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);
    /// <summary>Decisions that ran out of budget and were answered by the failure policy.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);
    /// <summary>Decisions that threw and were answered by the failure policy.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public async Task HandleAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(options.DecisionBudget);

        if (!IsJson(http.Request.ContentType))
        {
            await RejectAsync(http, StatusCodes.Status415UnsupportedMediaType, "content type must be application/json").ConfigureAwait(false);
            return;
        }

        if (http.Request.ContentLength > options.MaxBodyBytes)
        {
            await RejectAsync(http, StatusCodes.Status413PayloadTooLarge, $"body is larger than {options.MaxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit) sizeLimit.MaxRequestBodySize = options.MaxBodyBytes;

        Body? body;
        try
        {
            body = await Body.ReadAsync(http.Request.Body, options.MaxBodyBytes, http.Request.ContentLength, deadline.Token).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RejectAsync(http, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? $"body is larger than {options.MaxBodyBytes} bytes" : "bad request body").ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return;   // the caller is gone
        }
        catch (OperationCanceledException)
        {
            await RejectAsync(http, StatusCodes.Status408RequestTimeout, "body not received in time").ConfigureAwait(false);
            return;
        }
        catch (IOException)
        {
            return;   // connection reset while reading
        }

        if (body is null)
        {
            await RejectAsync(http, StatusCodes.Status413PayloadTooLarge, $"body is larger than {options.MaxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        var owned = true;
        JsonDocument? document = null;
        try
        {
            // The reader checks JSON structure but leaves string contents to be transcoded later: check UTF-8 once, up front.
            if (!System.Text.Unicode.Utf8.IsValid(body.Memory.Span))
            {
                await RejectAsync(http, StatusCodes.Status400BadRequest, "body is not valid UTF-8").ConfigureAwait(false);
                return;
            }

            try
            {
                document = JsonDocument.Parse(body.Memory, AdmissionReviewJson.DocumentOptions);
            }
            catch (JsonException)
            {
                await RejectAsync(http, StatusCodes.Status400BadRequest, "body is not valid JSON").ConfigureAwait(false);
                return;
            }

            AdmissionRequest request;
            try
            {
                request = AdmissionReviewJson.ReadRequest(document.RootElement);
            }
            catch (AdmissionReviewException e)
            {
                await RejectAsync(http, StatusCodes.Status400BadRequest, "invalid AdmissionReview: " + e.Message).ConfigureAwait(false);
                return;
            }

            // The decision runs on the pool so that the budget holds even if a lookup blocks; a late decision
            // still owns the document, so the buffers are released only once it has finished.
            var work = Task.Run(() => decider.Decide(request, context.Policies, context, images), CancellationToken.None);
            AdmissionDecision decision;
            var failed = false;
            try
            {
                decision = await work.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                owned = !Defer(work, document, body);
                return;
            }
            catch (OperationCanceledException)
            {
                owned = !Defer(work, document, body);
                Interlocked.Increment(ref _timeouts);
                failed = true;
                LogTimeout(logger, request.Uid, request.Kind.Kind, request.Namespace ?? "", request.Name ?? "", (int)options.DecisionBudget.TotalMilliseconds);
                decision = Unanswered(AdmissionDecision.Fail(StatusCodes.Status504GatewayTimeout, "Timeout",
                    $"eks-hardening could not finish the policy check within {options.DecisionBudget.TotalSeconds:0.#}s"));
            }
            catch (AdmissionReviewException e)
            {
                await RejectAsync(http, StatusCodes.Status400BadRequest, "invalid AdmissionReview: " + e.Message).ConfigureAwait(false);
                return;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _failures);
                failed = true;
                LogDecisionFailed(logger, e, request.Uid, request.Kind.Kind, request.Namespace ?? "", request.Name ?? "");
                decision = Unanswered(AdmissionDecision.Fail(StatusCodes.Status500InternalServerError, "InternalError",
                    "eks-hardening could not evaluate the object"));
            }

            Record(request, decision, started, failed);
            await WriteAsync(http, request.Uid, decision).ConfigureAwait(false);
        }
        finally
        {
            if (owned)
            {
                document?.Dispose();
                body.Dispose();
            }
        }
    }

    /// <summary>Fail: the given failure. Ignore: admitted, with a warning saying the object was not checked.</summary>
    private AdmissionDecision Unanswered(AdmissionDecision failure) => options.FailurePolicy == WebhookFailurePolicy.Fail
        ? failure
        : AdmissionDecision.Allow([AdmissionText.Clean($"{failure.Message}; admitted unchecked (failurePolicy Ignore)", AdmissionText.MaxWarningLength)]);

    /// <summary>Leaves the document and body to a decision still running; true when it took them.</summary>
    private static bool Defer(Task work, JsonDocument document, Body body)
    {
        if (work.IsCompleted) return false;
        _ = work.ContinueWith(static (_, state) =>
        {
            var (doc, buffer) = ((JsonDocument, Body))state!;
            doc.Dispose();
            buffer.Dispose();
        }, (document, body), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    private void Record(AdmissionRequest request, AdmissionDecision decision, long started, bool failed)
    {
        Interlocked.Increment(ref _reviews);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var elapsedMs = elapsed.TotalMilliseconds;
        string outcome;
        if (!decision.Allowed && decision.Code == StatusCodes.Status403Forbidden)
        {
            outcome = AdmissionMetrics.Denied;
            Interlocked.Increment(ref _denied);
            LogDenied(logger, request.Uid, request.Kind.Kind, request.Namespace ?? "", request.Name ?? "", decision.DeniedBy,
                decision.FailedRules, request.DryRun, request.UserName ?? "", elapsedMs);
        }
        else if (decision.Warnings.Count > 0)
        {
            outcome = AdmissionMetrics.Warned;
            Interlocked.Increment(ref _warned);
            LogWarned(logger, request.Uid, request.Kind.Kind, request.Namespace ?? "", request.Name ?? "", decision.Warnings.Count, request.DryRun, elapsedMs);
        }
        else
        {
            outcome = AdmissionMetrics.Allowed;
            LogAllowed(logger, request.Uid, request.Kind.Kind, request.Namespace ?? "", request.Name ?? "", decision.SkipReason ?? "passed", request.DryRun, elapsedMs);
        }

        // An answer of the failure policy is an error whatever it says.
        metrics?.Answered(request, failed ? AdmissionMetrics.Error : outcome, elapsed);
    }

    private static async Task WriteAsync(HttpContext http, string uid, AdmissionDecision decision)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        AdmissionReviewJson.WriteResponse(http.Response.BodyWriter, uid, decision);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private async Task RejectAsync(HttpContext http, int status, string reason)
    {
        Interlocked.Increment(ref _rejected);
        metrics?.Refused(status);
        LogRejected(logger, status, reason);
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        try
        {
            await http.Response.WriteAsync(reason + "\n", Encoding.UTF8, http.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>application/json, with no charset or UTF-8 (what the API server sends).</summary>
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));

    /// <summary>A request body in a pooled buffer, read up to a limit.</summary>
    private sealed class Body : IDisposable
    {
        /// <summary>
        /// Typical reviews (a few KB to a few hundred) reuse pooled buffers; larger ones are allocated and left to the GC,
        /// so a burst of big bodies leaves at most 16 buffers of each size up to 256 KB (8 MB) in the pool.
        /// </summary>
        private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 256 * 1024, maxArraysPerBucket: 16);

        private byte[]? _buffer;
        private readonly int _length;

        private Body(byte[] buffer, int length)
        {
            _buffer = buffer;
            _length = length;
        }

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        /// <summary>The body, or null as soon as more than <paramref name="limit"/> bytes have arrived (the rest is never read).</summary>
        public static async Task<Body?> ReadAsync(Stream stream, int limit, long? contentLength, CancellationToken cancellationToken)
        {
            var initial = contentLength is > 0 and var announced ? (int)Math.Min(announced + 1, limit + 1L) : Math.Min(16 * 1024, limit + 1);
            var buffer = Pool.Rent(initial);
            var length = 0;
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (length > limit) break;
                        var larger = Pool.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        Pool.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0) break;
                    length += read;
                    if (length > limit) break;
                }

                if (length > limit)
                {
                    Pool.Return(buffer);
                    return null;
                }

                return new Body(buffer, length);
            }
            catch
            {
                Pool.Return(buffer);
                throw;
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } buffer) Pool.Return(buffer);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admission {Uid}: denied {Kind} {Namespace}/{Name} by {Policies} ({Rules}); dryRun={DryRun} user={User} in {ElapsedMs:0.0} ms")]
    private static partial void LogDenied(ILogger logger, string uid, string kind, string @namespace, string name, IReadOnlyList<string> policies, IReadOnlyList<string> rules, bool dryRun, string user, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admission {Uid}: admitted {Kind} {Namespace}/{Name} with {Warnings} warnings; dryRun={DryRun} in {ElapsedMs:0.0} ms")]
    private static partial void LogWarned(ILogger logger, string uid, string kind, string @namespace, string name, int warnings, bool dryRun, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Admission {Uid}: admitted {Kind} {Namespace}/{Name} ({Why}); dryRun={DryRun} in {ElapsedMs:0.0} ms")]
    private static partial void LogAllowed(ILogger logger, string uid, string kind, string @namespace, string name, string why, bool dryRun, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admission {Uid}: {Kind} {Namespace}/{Name} not decided within {BudgetMs} ms; answered by the failure policy")]
    private static partial void LogTimeout(ILogger logger, string uid, string kind, string @namespace, string name, int budgetMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Admission {Uid}: evaluating {Kind} {Namespace}/{Name} failed; answered by the failure policy")]
    private static partial void LogDecisionFailed(ILogger logger, Exception exception, string uid, string kind, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Admission request refused with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, int status, string reason);
}
