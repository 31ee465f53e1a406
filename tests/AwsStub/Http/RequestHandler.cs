namespace EksHardening.AwsStub.Http;

/// <summary>
/// Serves every request on one endpoint: finds the service (credential scope, else X-Amz-Target, Query Version or
/// path), verifies the signature, applies faults, runs the operation and logs the outcome.
/// </summary>
internal sealed class RequestHandler(
    StubContext context,
    SignatureVerifier verifier,
    AwsFaults faults,
    RequestLog<AwsRequestRecord> log,
    ServiceOperations operations,
    ILogger logger,
    CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString();
        try
        {
            if (faults.Latency is { } latency && latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, http.RequestAborted).ConfigureAwait(false);
            }

            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
            var request = IncomingRequest.From(http, buffer.ToArray());
            var outcome = await AnswerAsync(request, requestId, http.RequestAborted).ConfigureAwait(false);
            log.Add(outcome.Record);
            if (outcome.Response is null)
            {
                http.Abort();
                return;
            }

            await WriteAsync(http, requestId, outcome.Response).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // The client went away or the stub is stopping.
        }
    }

    private async Task<Outcome> AnswerAsync(IncomingRequest request, string requestId, CancellationToken cancellationToken)
    {
        var signature = SignatureParser.Parse(request);
        var service = Identify(request, signature);
        if (service is null)
        {
            var unknown = new AwsServiceException("UnknownOperationException", 400,
                $"The stub serves {string.Join(", ", AwsService.All.Select(s => s.Name))}; this request names {signature.ScopeService ?? "no service it knows"}.");
            var json = new JsonObject { ["__type"] = unknown.Code, ["message"] = unknown.Message };
            var response = new AwsResponse(400, Wire.Json11, Encoding.UTF8.GetBytes(json.ToJsonString()), unknown.Code);
            return new Outcome(response, Record(requestId, signature.ScopeService ?? "unknown", "Unknown", response, null, new Dictionary<string, string>(), null));
        }

        var operation = OperationOf(service, request, out var labels);
        var (call, inputError) = Parse(service, operation, request, labels, requestId);
        var parameters = call.Parameters();
        KnownCredential? caller = null;
        AwsFaultKind? fault = null;
        try
        {
            caller = Authenticate(service, operation, request, signature);
            if (!ServiceOperations.Serves(service, operation))
            {
                throw ServiceErrors.UnknownOperation(service, operation);
            }

            if (inputError is not null)
            {
                throw inputError;
            }

            if (service.IsQueryFamily && call.Form.GetValueOrDefault("Version") is var version && version != service.ApiVersion)
            {
                throw new AwsServiceException("InvalidAction", 400, $"Could not find operation {operation} for version {version ?? "NO_VERSION_SPECIFIED"}");
            }

            call.Caller = caller;
            var decision = faults.Evaluate(new AwsCallInfo(service.Name, operation, parameters, caller?.AccessKeyId));
            if (decision.Delay > TimeSpan.Zero)
            {
                await Task.Delay(decision.Delay, cancellationToken).ConfigureAwait(false);
            }

            fault = decision.Rule?.Kind;
            if (fault is { } kind)
            {
                StubLog.FaultInjected(logger, service.Name, operation, kind);
            }

            switch (decision.Rule)
            {
                case { Kind: AwsFaultKind.DropConnection }:
                    return new Outcome(null, Record(requestId, service.Name, operation, null, caller, parameters, fault));
                case { Kind: AwsFaultKind.Error } error:
                    throw new AwsServiceException(error.ErrorCode, error.StatusCode, error.Message ?? $"Injected {error.ErrorCode}.");
                case { Kind: AwsFaultKind.Throttling } throttling:
                    throw ServiceErrors.Throttling(service, throttling.Message);
                case { Kind: AwsFaultKind.AccessDenied } denied:
                    throw ServiceErrors.AccessDenied(service,
                        denied.Message ?? $"User: {caller?.Arn ?? "anonymous"} is not authorized to perform: {service.Name}:{operation} because no identity-based policy allows the {service.Name}:{operation} action");
            }

            var response = operations.Dispatch(call, signature.Input?.Region ?? context.Region);
            if (fault == AwsFaultKind.MalformedResponse)
            {
                response = response with { Body = response.Body[..(response.Body.Length / 2)] };
            }

            return new Outcome(response, Record(requestId, service.Name, operation, response, caller, parameters, fault));
        }
        catch (AwsServiceException e)
        {
            StubLog.Rejected(logger, service.Name, operation, e.StatusCode, e.Code, e.Message);
            var response = Wire.Error(service, requestId, e);
            return new Outcome(response, Record(requestId, service.Name, operation, response, caller, parameters, fault));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StubLog.Failed(logger, e, service.Name, operation);
            var response = Wire.Error(service, requestId, ServiceErrors.Internal(service));
            return new Outcome(response, Record(requestId, service.Name, operation, response, caller, parameters, fault));
        }
    }

    /// <summary>The credential scope names the service; unsigned requests are known by target, Query version or path.</summary>
    private static AwsService? Identify(IncomingRequest request, SignatureParse signature)
    {
        if (signature.ScopeService is { } scoped)
        {
            return AwsService.Find(scoped);
        }

        if (request.Header("X-Amz-Target") is { } target)
        {
            return AwsService.ByTarget(target);
        }

        var parameters = request.QueryProtocolParameters();
        if (parameters.TryGetValue("Version", out var version))
        {
            return AwsService.ByQueryVersion(version);
        }

        if (parameters.TryGetValue("Action", out var action) && StsOperations.IsUnsigned(action))
        {
            return AwsService.Sts;
        }

        return EksOperations.IsEksPath(request.RawPath) ? AwsService.Eks
            : request.RawPath.StartsWith("/detector", StringComparison.Ordinal) ? AwsService.GuardDuty
            : null;
    }

    /// <summary>The operation a request names in its service's protocol (<c>Unknown</c> when it names none).</summary>
    private static string OperationOf(AwsService service, IncomingRequest request, out Dictionary<string, string> labels)
    {
        labels = [];
        switch (service.Protocol)
        {
            case WireProtocol.AwsJson11:
            {
                var target = request.Header("X-Amz-Target") ?? "";
                var prefix = service.TargetPrefix + ".";
                return request.Method == "POST" && target.StartsWith(prefix, StringComparison.Ordinal) && target.Length > prefix.Length
                    ? target[prefix.Length..]
                    : target.Length > 0 ? target : "Unknown";
            }

            case WireProtocol.Query or WireProtocol.Ec2Query:
            {
                var parameters = request.QueryProtocolParameters();
                var action = parameters.GetValueOrDefault("Action");
                if (string.IsNullOrEmpty(action))
                {
                    return "Unknown";
                }

                return action;
            }

            default:
            {
                var route = service == AwsService.GuardDuty
                    ? GuardDutyOperations.Route(request.Method, request.RawPath)
                    : EksOperations.Route(request.Method, request.RawPath);
                if (route is { } matched)
                {
                    labels = matched.Labels;
                    return matched.Operation;
                }

                return $"{request.Method} {request.RawPath}";
            }
        }
    }

    /// <summary>Reads the input in the protocol's shape; a malformed body is kept as an error to raise after authentication.</summary>
    private (AwsCall Call, AwsServiceException? Error) Parse(AwsService service, string operation, IncomingRequest request, Dictionary<string, string> labels, string requestId)
    {
        JsonObject json = [];
        IReadOnlyDictionary<string, string> form = new Dictionary<string, string>();
        IReadOnlyDictionary<string, string> query = new Dictionary<string, string>();
        IReadOnlyDictionary<string, IReadOnlyList<string>> queryLists = new Dictionary<string, IReadOnlyList<string>>();
        AwsServiceException? error = null;
        switch (service.Protocol)
        {
            case WireProtocol.Query or WireProtocol.Ec2Query:
                form = request.QueryProtocolParameters();
                break;
            case WireProtocol.RestJson:
                query = request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
                queryLists = request.Query.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value.OfType<string>()], StringComparer.Ordinal);
                goto default;
            default:
                if (request.Body.Length > 0)
                {
                    try
                    {
                        json = JsonNode.Parse(request.Body) as JsonObject ?? throw new JsonException("The body is not a JSON object.");
                    }
                    catch (JsonException e)
                    {
                        error = ServiceErrors.Serialization($"Start of structure or map found where not expected. {e.Message}");
                    }
                }
                else if (service.Protocol == WireProtocol.AwsJson11)
                {
                    error = ServiceErrors.Serialization("The request body is empty; a JSON object is required.");
                }

                break;
        }

        var call = new AwsCall
        {
            RequestId = requestId,
            Service = service,
            Operation = operation,
            Now = context.Now,
            Json = json,
            Form = form,
            Labels = labels,
            QueryString = query,
            QueryLists = queryLists,
        };
        return (call, error);
    }

    private KnownCredential? Authenticate(AwsService service, string operation, IncomingRequest request, SignatureParse signature)
    {
        if (service == AwsService.Sts && StsOperations.IsUnsigned(operation))
        {
            return null;
        }

        if (signature.IncompleteMessage is { } incomplete)
        {
            throw ServiceErrors.IncompleteSignature(service, incomplete);
        }

        return signature.Input is { } input ? verifier.Verify(request, input, service) : throw ServiceErrors.MissingAuthentication(service);
    }

    private AwsRequestRecord Record(string requestId, string service, string operation, AwsResponse? response, KnownCredential? caller,
        IReadOnlyDictionary<string, string> parameters, AwsFaultKind? fault) =>
        new(context.Now, requestId, service, operation, response?.StatusCode ?? 0, response?.ErrorCode, caller?.AccessKeyId, parameters, fault);

    private static async Task WriteAsync(HttpContext http, string requestId, AwsResponse response)
    {
        http.Response.StatusCode = response.StatusCode;
        http.Response.ContentType = response.ContentType;
        http.Response.ContentLength = response.Body.Length;
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        foreach (var (name, value) in response.Headers)
        {
            http.Response.Headers[name] = value;
        }

        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The answer (null: drop the connection) and what the log records of it.</summary>
    private sealed record Outcome(AwsResponse? Response, AwsRequestRecord Record);
}
