namespace EksHardening.ApiEmulator.Http;

/// <summary>Routes every HTTP request to the API verb it expresses, with faults applied first and the outcome logged.</summary>
internal sealed class ApiRequestHandler(
    ResourceCatalog catalog,
    ResourceOperations operations,
    WatchStream watches,
    FaultInjector faults,
    RequestLog<RecordedRequest> log,
    TimeProvider time,
    Func<string> serverAddress,
    Func<string> serverVersion,
    CancellationToken stopping)
{
    private const int FlushEvery = 256;

    public async Task HandleAsync(HttpContext context)
    {
        var received = time.GetUtcNow();
        var info = RequestInfo.Parse(context.Request);
        var recorded = false;
        void Record(int status)
        {
            if (recorded)
            {
                return;
            }

            recorded = true;
            log.Add(new RecordedRequest(time.GetUtcNow(), info.Method, info.Path, info.Query, info.Verb, info.Group,
                info.Version, info.Namespace, info.Resource, info.Subresource, info.Name, status, info.User) { Received = received });
        }

        try
        {
            var latency = faults.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
            }

            switch (faults.CurrentDowntime())
            {
                case DowntimeMode.ConnectionReset:
                    Record(0);
                    context.Abort();
                    return;
                case DowntimeMode.ServiceUnavailable:
                    throw new ApiStatusException(503, "ServiceUnavailable", "The server is currently unable to handle the request") { RetryAfterSeconds = 1 };
            }

            if (info.IsResourceRequest && faults.InjectedError(info) is { } injected)
            {
                throw injected;
            }

            if (info.IsResourceRequest)
            {
                faults.RunHooks(info);
            }

            await DispatchAsync(context, info, () => Record(StatusCodes.Status200OK)).ConfigureAwait(false);
        }
        catch (ApiStatusException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, e).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // Client went away or the emulator is stopping.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, new ApiStatusException(500, "InternalError", $"Internal error occurred: {e.Message}")).ConfigureAwait(false);
            }
        }
        finally
        {
            Record(context.Response.StatusCode);
        }
    }

    private async Task DispatchAsync(HttpContext context, RequestInfo info, Action started)
    {
        if (!info.IsResourceRequest)
        {
            await NonResourceAsync(context, info).ConfigureAwait(false);
            return;
        }

        var type = info.Malformed ? null : catalog.Find(info.Group, info.Version, info.Resource!);
        if (type is null || (!type.Namespaced && info.Namespace is not null))
        {
            throw ApiStatusException.ResourceNotFound();
        }

        var ephemeralContainers = info.Subresource == "ephemeralcontainers" && type.Group.Length == 0 && type.Plural == "pods";
        if (info.Subresource is not null && !(info.Subresource == "status" && type.HasStatusSubresource) && !ephemeralContainers)
        {
            throw ApiStatusException.ResourceNotFound();
        }

        var query = context.Request.Query;
        string? Query(string name) => query.TryGetValue(name, out var value) ? value.ToString() : null;
        var dryRun = Query("dryRun") is { Length: > 0 };
        var ns = info.Namespace;
        var scope = info.Subresource == "status" ? WriteScope.Status : ephemeralContainers ? WriteScope.EphemeralContainers : WriteScope.Main;
        if (ephemeralContainers && info.Verb is not ("get" or "update" or "patch"))
        {
            throw new ApiStatusException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }

        switch (info.Verb)
        {
            case "update" or "patch" when info.Name is null:
                throw new ApiStatusException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
            case "get" when TableRendering.Wanted(context.Request.Headers.Accept):
            {
                var obj = operations.Get(type, ns, info.Name!);
                var metadata = new JsonObject { ["resourceVersion"] = obj.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
                await WriteJsonAsync(context, StatusCodes.Status200OK, TableRendering.Render(type, [obj], metadata, Query("includeObject"), time.GetUtcNow())).ConfigureAwait(false);
                break;
            }

            case "get":
                await WriteObjectAsync(context, StatusCodes.Status200OK, operations.Get(type, ns, info.Name!), type).ConfigureAwait(false);
                break;
            case "list" when TableRendering.Wanted(context.Request.Headers.Accept):
            {
                var list = operations.List(type, ListRequestFrom(type, ns, Query));
                await WriteJsonAsync(context, StatusCodes.Status200OK, TableRendering.Render(type, list.Items, ListMetadata(list), Query("includeObject"), time.GetUtcNow())).ConfigureAwait(false);
                break;
            }

            case "list":
                await WriteListAsync(context, type, operations.List(type, ListRequestFrom(type, ns, Query))).ConfigureAwait(false);
                break;
            case "watch":
            {
                var timeout = int.TryParse(Query("timeoutSeconds"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds)
                    : (TimeSpan?)null;
                var request = new WatchRequest
                {
                    Namespace = ns,
                    Labels = LabelSelector.Parse(Query("labelSelector")),
                    Fields = FieldSelector.Parse(Query("fieldSelector"), type),
                    ResourceVersion = Query("resourceVersion"),
                    AllowBookmarks = Query("allowWatchBookmarks") is "true" or "1",
                    SendInitialEvents = Query("sendInitialEvents") is "true" or "1",
                    Timeout = timeout,
                };
                await watches.ServeAsync(context, type, request, started, stopping).ConfigureAwait(false);
                break;
            }

            case "create":
            {
                if (info.Name is not null || (type.Namespaced && ns is null))
                {
                    throw new ApiStatusException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
                }

                var body = await ReadObjectAsync(context).ConfigureAwait(false);
                await WriteObjectAsync(context, StatusCodes.Status201Created, operations.Create(type, ns, body, dryRun), type).ConfigureAwait(false);
                break;
            }

            case "update":
            {
                var body = await ReadObjectAsync(context).ConfigureAwait(false);
                var updated = operations.Replace(type, ns, info.Name!, body, scope, dryRun);
                await WriteObjectAsync(context, StatusCodes.Status200OK, updated, type).ConfigureAwait(false);
                break;
            }

            case "patch":
            {
                var mediaType = (context.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
                if (mediaType == PatchMediaTypes.Apply && string.IsNullOrEmpty(Query("fieldManager")))
                {
                    throw new ApiStatusException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                }

                var patch = await ReadBodyAsync(context).ConfigureAwait(false);
                var patched = operations.Patch(type, ns, info.Name!, mediaType, patch, scope, dryRun);
                await WriteObjectAsync(context, StatusCodes.Status200OK, patched, type).ConfigureAwait(false);
                break;
            }

            case "delete":
            {
                var request = await DeleteRequestFromAsync(context, Query, dryRun).ConfigureAwait(false);
                var result = operations.Delete(type, ns, info.Name!, request);
                if (result.Removed && !ReturnsDeletedObject(type))
                {
                    await WriteJsonAsync(context, StatusCodes.Status200OK, Success(type, result.Object)).ConfigureAwait(false);
                }
                else
                {
                    await WriteObjectAsync(context, StatusCodes.Status200OK, result.Object, type).ConfigureAwait(false);
                }

                break;
            }

            case "deletecollection":
            {
                var request = await DeleteRequestFromAsync(context, Query, dryRun).ConfigureAwait(false);
                operations.DeleteCollection(type, ListRequestFrom(type, ns, Query), request);
                await WriteJsonAsync(context, StatusCodes.Status200OK, Success(type, null)).ConfigureAwait(false);
                break;
            }

            default:
                throw new ApiStatusException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
    }

    private async Task NonResourceAsync(HttpContext context, RequestInfo info)
    {
        var segments = info.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var types = catalog.All();
        JsonObject? document = segments switch
        {
            ["api"] => Discovery.CoreVersions(serverAddress()),
            ["api", var version] => Discovery.Resources("", version, types),
            ["apis"] => Discovery.Groups(types),
            ["apis", var group] => Discovery.Group(group, types),
            ["apis", var group, var version] => Discovery.Resources(group, version, types),
            ["version"] => Discovery.Version(serverVersion()),
            _ => null,
        };
        if (document is not null)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, document).ConfigureAwait(false);
            return;
        }

        if (segments is ["healthz" or "livez" or "readyz", ..])
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        throw ApiStatusException.ResourceNotFound();
    }

    private static ListRequest ListRequestFrom(ResourceType type, string? ns, Func<string, string?> query) => new()
    {
        Namespace = ns,
        Labels = LabelSelector.Parse(query("labelSelector")),
        Fields = FieldSelector.Parse(query("fieldSelector"), type),
        Limit = int.TryParse(query("limit"), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : 0,
        Continue = query("continue"),
        ResourceVersion = query("resourceVersion"),
    };

    private static async Task<DeleteRequest> DeleteRequestFromAsync(HttpContext context, Func<string, string?> query, bool dryRun)
    {
        JsonObject? options = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            options = await ReadBodyAsync(context).ConfigureAwait(false) as JsonObject;
        }

        var policy = query("propagationPolicy") ?? ObjectRules.Text(options?["propagationPolicy"]);
        var orphan = query("orphanDependents") ?? options?["orphanDependents"]?.ToJsonString();
        var propagation = policy switch
        {
            "Foreground" => PropagationPolicy.Foreground,
            "Orphan" => PropagationPolicy.Orphan,
            "Background" or null or "" => orphan == "true" ? PropagationPolicy.Orphan : PropagationPolicy.Background,
            _ => throw new ApiStatusException(422, "Invalid",
                $"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""),
        };
        var bodyDryRun = options?["dryRun"] is JsonArray { Count: > 0 };
        return new DeleteRequest
        {
            Propagation = propagation,
            PreconditionUid = ObjectRules.Text(options?["preconditions"]?["uid"]),
            PreconditionResourceVersion = ObjectRules.Text(options?["preconditions"]?["resourceVersion"]),
            DryRun = dryRun || bodyDryRun,
        };
    }

    /// <summary>The registries that set ReturnDeletedObject upstream (PersistentVolumeClaims and StorageClasses among them).</summary>
    private static bool ReturnsDeletedObject(ResourceType type) =>
        (type.Group.Length == 0 && type.Plural is "pods" or "services" or "namespaces" or "persistentvolumeclaims")
        || (type.Group == "storage.k8s.io" && type.Plural == "storageclasses")
        || type == BuiltInResources.CustomResourceDefinitions;

    private static JsonObject Success(ResourceType type, StoredObject? deleted)
    {
        var details = new JsonObject();
        if (deleted is not null)
        {
            details["name"] = deleted.Name;
        }

        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Plural;
        if (deleted is not null)
        {
            details["uid"] = deleted.Uid;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static async Task<JsonNode> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false)
                ?? throw ApiStatusException.BadRequest("the request body is empty");
        }
        catch (JsonException e)
        {
            throw ApiStatusException.BadRequest($"the body of the request could not be decoded as JSON: {e.Message}");
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        await ReadBodyAsync(context).ConfigureAwait(false) as JsonObject
        ?? throw ApiStatusException.BadRequest("the request body must be a JSON object");

    private static async Task WriteObjectAsync(HttpContext context, int status, StoredObject obj, ResourceType type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        ObjectRendering.Write(context.Response.BodyWriter, obj, type);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteListAsync(HttpContext context, ResourceType type, ListResult list)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var output = context.Response.BodyWriter;
        var head = new JsonObject { ["kind"] = type.ListKind, ["apiVersion"] = type.ApiVersion, ["metadata"] = ListMetadata(list) }.ToJsonString();
        output.Write(System.Text.Encoding.UTF8.GetBytes(head[..^1] + ",\"items\":["));
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }

            ObjectRendering.WriteListItem(output, list.Items[i], type);
            if (i % FlushEvery == FlushEvery - 1)
            {
                await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }

        output.Write("]}"u8);
        await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject ListMetadata(ListResult list)
    {
        var metadata = new JsonObject { ["resourceVersion"] = list.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (list.Continue is not null)
        {
            metadata["continue"] = list.Continue;
        }

        return metadata;
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode document)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.BodyWriter.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(document), context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteStatusAsync(HttpContext context, ApiStatusException error)
    {
        if (error.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, error.Code, error.ToStatus());
    }
}
