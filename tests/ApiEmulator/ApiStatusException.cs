namespace EksHardening.ApiEmulator;

/// <summary>An API error as the server reports it: a <c>metav1.Status</c> with an HTTP code and a reason.</summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException(int code, string reason, string message)
        : base(message)
    {
        Code = code;
        Reason = reason;
    }

    public ApiStatusException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiStatusException(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public int Code { get; }

    public string Reason { get; }

    public string? Name { get; init; }

    public string? Group { get; init; }

    /// <summary>The <c>details.kind</c> field; the API server puts the resource (plural) name there.</summary>
    public string? DetailsKind { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public IReadOnlyList<(string Reason, string Message, string Field)> Causes { get; init; } = [];

    /// <summary>The reason the API server gives for an HTTP status code.</summary>
    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Expired",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };

    public static ApiStatusException ForCode(int code, string? message = null) =>
        new(code, ReasonFor(code), message ?? DefaultMessage(code));

    public static ApiStatusException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{Qualified(type)} \"{name}\" not found") { Name = name, Group = type.Group, DetailsKind = type.Plural };

    public static ApiStatusException NamespaceNotFound(string ns) =>
        new(404, "NotFound", $"namespaces \"{ns}\" not found") { Name = ns, Group = "", DetailsKind = "namespaces" };

    public static ApiStatusException ResourceNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource");

    public static ApiStatusException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{Qualified(type)} \"{name}\" already exists") { Name = name, Group = type.Group, DetailsKind = type.Plural };

    public static ApiStatusException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(type)} \"{name}\": {why}")
        {
            Name = name, Group = type.Group, DetailsKind = type.Plural,
        };

    public static ApiStatusException StaleResourceVersion(ResourceType type, string name) =>
        Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiStatusException Invalid(ResourceType type, string name, string field, string message, string causeReason = "FieldValueInvalid") =>
        new(422, "Invalid", $"{type.Kind}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" is invalid: {field}: {message}")
        {
            Name = name, Group = type.Group, DetailsKind = type.Kind, Causes = [(causeReason, message, field)],
        };

    public static ApiStatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiStatusException Expired(string message) => new(410, "Expired", message);

    /// <summary>The <c>metav1.Status</c> object for this error.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        var details = new JsonObject();
        if (Name is not null)
        {
            details["name"] = Name;
        }

        if (!string.IsNullOrEmpty(Group))
        {
            details["group"] = Group;
        }

        if (DetailsKind is not null)
        {
            details["kind"] = DetailsKind;
        }

        if (Causes.Count > 0)
        {
            details["causes"] = new JsonArray([.. Causes.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = c.Reason,
                ["message"] = c.Message,
                ["field"] = c.Field,
            })]);
        }

        if (RetryAfterSeconds is { } retry)
        {
            details["retryAfterSeconds"] = retry;
        }

        if (details.Count > 0)
        {
            status["details"] = details;
        }

        status["code"] = Code;
        return status;
    }

    private static string Qualified(ResourceType type) => type.Group.Length == 0 ? type.Plural : $"{type.Plural}.{type.Group}";

    private static string DefaultMessage(int code) => code switch
    {
        429 => "Too many requests, please try again later.",
        500 => "Internal error occurred: injected fault",
        503 => "The server is currently unable to handle the request",
        504 => "The server was unable to return a response in the time allotted, but may still be processing the request",
        410 => "The resourceVersion for the provided request is too old.",
        _ => $"injected error {code}",
    };
}
