namespace EksHardening.Operator.Admission;

/// <summary>A group, version and kind as an AdmissionRequest names them (<c>kind</c>); the core group is "".</summary>
public readonly record struct GroupVersionKind(string Group, string Version, string Kind)
{
    public override string ToString() => Group.Length == 0 ? $"{Version}/{Kind}" : $"{Group}/{Version}/{Kind}";
}

/// <summary>A group, version and resource as an AdmissionRequest names them (<c>resource</c>).</summary>
public readonly record struct GroupVersionResource(string Group, string Version, string Resource);

/// <summary>The admission operations; the webhook checks CREATE and UPDATE.</summary>
public enum AdmissionOperation
{
    Create,
    Update,
    Delete,
    Connect,
}

/// <summary>
/// The fields of an admission.k8s.io/v1 AdmissionRequest the webhook reads. <see cref="Object"/> and
/// <see cref="OldObject"/> point into the parsed document and live as long as it does.
/// </summary>
public sealed class AdmissionRequest
{
    public required string Uid { get; init; }
    public required GroupVersionKind Kind { get; init; }
    public GroupVersionResource? Resource { get; init; }
    /// <summary>The subresource (<c>status</c>, <c>scale</c>, <c>ephemeralcontainers</c>), or null for the main resource.</summary>
    public string? SubResource { get; init; }
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    public required AdmissionOperation Operation { get; init; }
    public string? UserName { get; init; }
    public JsonElement? Object { get; init; }
    public JsonElement? OldObject { get; init; }
    /// <summary>The request will not be persisted (<c>kubectl --dry-run=server</c>): same verdict, no side effects.</summary>
    public bool DryRun { get; init; }
}

/// <summary>A body that is not a usable AdmissionReview. The message is ours, never the caller's input.</summary>
public sealed class AdmissionReviewException(string message) : Exception(message);

/// <summary>Reads and writes admission.k8s.io/v1 AdmissionReview documents.</summary>
public static class AdmissionReviewJson
{
    public const string ApiVersion = "admission.k8s.io/v1";
    public const string Kind = "AdmissionReview";

    /// <summary>Depth 64 (System.Text.Json's default) holds any real object with room to spare; deeper is an attack.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 64,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        // A duplicated key could be read one way by the API server and another way here.
        AllowDuplicateProperties = false,
    };

    /// <summary>Longest uid accepted: the API server sends UUIDs (36 characters).</summary>
    public const int MaxUidLength = 128;

    /// <summary>Longest name, namespace, kind, group or version accepted: DNS subdomains are at most 253.</summary>
    public const int MaxNameLength = 253;

    /// <summary>Checks the envelope and reads the request; throws <see cref="AdmissionReviewException"/> naming the bad field.</summary>
    public static AdmissionRequest ReadRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new AdmissionReviewException("body must be a JSON object");
        if (RequiredString(root, "apiVersion", "apiVersion") != ApiVersion) throw new AdmissionReviewException($"apiVersion must be {ApiVersion}");
        if (RequiredString(root, "kind", "kind") != Kind) throw new AdmissionReviewException($"kind must be {Kind}");
        if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object)
        {
            throw new AdmissionReviewException("request must be an object");
        }

        var uid = RequiredString(request, "uid", "request.uid");
        if (uid.Length == 0 || uid.Length > MaxUidLength) throw new AdmissionReviewException($"request.uid must be 1 to {MaxUidLength} characters");
        foreach (var c in uid)
        {
            if (char.IsControl(c)) throw new AdmissionReviewException("request.uid must not contain control characters");
        }

        if (!request.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.Object)
        {
            throw new AdmissionReviewException("request.kind must be an object");
        }

        var gvk = new GroupVersionKind(
            OptionalString(kind, "group", "request.kind.group") ?? "",
            RequiredString(kind, "version", "request.kind.version"),
            RequiredString(kind, "kind", "request.kind.kind"));

        GroupVersionResource? gvr = null;
        if (request.TryGetProperty("resource", out var resource) && resource.ValueKind != JsonValueKind.Null)
        {
            if (resource.ValueKind != JsonValueKind.Object) throw new AdmissionReviewException("request.resource must be an object");
            gvr = new GroupVersionResource(
                OptionalString(resource, "group", "request.resource.group") ?? "",
                OptionalString(resource, "version", "request.resource.version") ?? "",
                OptionalString(resource, "resource", "request.resource.resource") ?? "");
        }

        var operation = RequiredString(request, "operation", "request.operation") switch
        {
            "CREATE" => AdmissionOperation.Create,
            "UPDATE" => AdmissionOperation.Update,
            "DELETE" => AdmissionOperation.Delete,
            "CONNECT" => AdmissionOperation.Connect,
            _ => throw new AdmissionReviewException("request.operation must be CREATE, UPDATE, DELETE or CONNECT"),
        };

        string? userName = null;
        if (request.TryGetProperty("userInfo", out var userInfo) && userInfo.ValueKind != JsonValueKind.Null)
        {
            if (userInfo.ValueKind != JsonValueKind.Object) throw new AdmissionReviewException("request.userInfo must be an object");
            userName = OptionalString(userInfo, "username", "request.userInfo.username", int.MaxValue);
        }

        var dryRun = false;
        if (request.TryGetProperty("dryRun", out var dry) && dry.ValueKind != JsonValueKind.Null)
        {
            dryRun = dry.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new AdmissionReviewException("request.dryRun must be a boolean"),
            };
        }

        return new AdmissionRequest
        {
            Uid = uid,
            Kind = gvk,
            Resource = gvr,
            SubResource = NullIfEmpty(OptionalString(request, "subResource", "request.subResource")),
            Name = NullIfEmpty(OptionalString(request, "name", "request.name")),
            Namespace = NullIfEmpty(OptionalString(request, "namespace", "request.namespace")),
            Operation = operation,
            UserName = userName,
            Object = OptionalObject(request, "object", "request.object"),
            OldObject = OptionalObject(request, "oldObject", "request.oldObject"),
            DryRun = dryRun,
        };
    }

    /// <summary>Writes the response AdmissionReview: the request's uid, the verdict, a Status when denied, warnings when any.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, string uid, AdmissionDecision decision)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("apiVersion", ApiVersion);
        json.WriteString("kind", Kind);
        json.WriteStartObject("response");
        json.WriteString("uid", uid);
        json.WriteBoolean("allowed", decision.Allowed);
        if (!decision.Allowed)
        {
            json.WriteStartObject("status");
            json.WriteNumber("code", decision.Code);
            json.WriteString("reason", decision.Reason);
            json.WriteString("message", decision.Message);
            json.WriteEndObject();
        }

        if (decision.Warnings.Count > 0)
        {
            json.WriteStartArray("warnings");
            foreach (var warning in decision.Warnings) json.WriteStringValue(warning);
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string RequiredString(JsonElement parent, string property, string path) =>
        OptionalString(parent, property, path) ?? throw new AdmissionReviewException($"{path} is required");

    private static string? OptionalString(JsonElement parent, string property, string path, int maxLength = MaxNameLength)
    {
        if (!parent.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new AdmissionReviewException($"{path} must be a string");
        // Refuse an overlong value before copying it out: its raw form (quotes and escapes, at most 6 bytes a character) says enough.
        if (maxLength < int.MaxValue / 6 && System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).Length > maxLength * 6 + 2)
        {
            throw new AdmissionReviewException($"{path} is longer than {maxLength} characters");
        }

        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new AdmissionReviewException($"{path} is not valid UTF-8");
        }

        if (text.Length > maxLength) throw new AdmissionReviewException($"{path} is longer than {maxLength} characters");
        return text;
    }

    private static JsonElement? OptionalObject(JsonElement parent, string property, string path)
    {
        if (!parent.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw new AdmissionReviewException($"{path} must be an object");
        return value;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
