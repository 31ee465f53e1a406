namespace EksHardening.ApiEmulator.Http;

/// <summary>What a request addresses, in the API server's terms: verb, group/version, namespace, resource, name, subresource.</summary>
internal sealed record RequestInfo
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    public string Query { get; init; } = "";

    /// <summary>get, list, watch, create, update, patch, delete or deletecollection.</summary>
    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public string? Namespace { get; init; }

    public string? Resource { get; init; }

    public string? Name { get; init; }

    public string? Subresource { get; init; }

    /// <summary>The bearer token of the Authorization header, if any: who is calling, for the request log.</summary>
    public string? User { get; init; }

    /// <summary>Whether the path had more segments than any resource URL has.</summary>
    public bool Malformed { get; init; }

    public string? ResourceWithSubresource => Resource is null ? null : Subresource is null ? Resource : $"{Resource}/{Subresource}";

    public static RequestInfo Parse(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var method = request.Method.ToUpperInvariant();
        var verb = method switch
        {
            "GET" or "HEAD" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        var authorization = request.Headers.Authorization.ToString();
        var user = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
        var info = new RequestInfo { Method = method, Path = path, Query = request.QueryString.Value ?? "", Verb = verb, User = user };
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int prefix;
        string group, version;
        if (segments is ["api", var coreVersion, ..])
        {
            (prefix, group, version) = (2, "", coreVersion);
        }
        else if (segments is ["apis", var g, var v, ..])
        {
            (prefix, group, version) = (3, g, v);
        }
        else
        {
            return info;
        }

        var rest = segments[prefix..];
        if (rest.Length == 0)
        {
            return info with { Group = group, Version = version };
        }

        string? ns = null, resource, name, subresource;
        var malformed = false;
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            ns = rest[1];
            resource = rest[2];
            name = rest.Length > 3 ? rest[3] : null;
            subresource = rest.Length > 4 ? rest[4] : null;
            malformed = rest.Length > 5;
        }
        else
        {
            resource = rest[0];
            name = rest.Length > 1 ? rest[1] : null;
            subresource = rest.Length > 2 ? rest[2] : null;
            malformed = rest.Length > 3;
        }

        if (name is null)
        {
            var watch = request.Query["watch"].ToString();
            verb = verb switch
            {
                "get" when watch is "true" or "1" => "watch",
                "get" => "list",
                "delete" => "deletecollection",
                _ => verb,
            };
        }

        if (name is null && verb is "list" or "watch")
        {
            // As the API server's RequestInfoFactory: a list or watch whose field selector requires one metadata.name
            // addresses that object, so RBAC resourceNames can grant it.
            name = NameRequiredBy(request.Query["fieldSelector"].ToString());
        }

        return info with
        {
            IsResourceRequest = true,
            Group = group,
            Version = version,
            Namespace = ns,
            Resource = resource,
            Name = name,
            Subresource = subresource,
            Verb = verb,
            Malformed = malformed,
        };
    }

    /// <summary>
    /// The name a field selector requires exactly (a <c>metadata.name=</c> or <c>==</c> term), when it is a valid path
    /// segment name (fields.Selector.RequiresExactMatch and path.IsValidPathSegmentName upstream); null otherwise.
    /// </summary>
    private static string? NameRequiredBy(string fieldSelector)
    {
        foreach (var term in fieldSelector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (term.StartsWith("metadata.name!=", StringComparison.Ordinal)) continue;
            var value = term.StartsWith("metadata.name==", StringComparison.Ordinal) ? term["metadata.name==".Length..]
                : term.StartsWith("metadata.name=", StringComparison.Ordinal) ? term["metadata.name=".Length..]
                : null;
            if (value is null) continue;
            return value is "" or "." or ".." || value.Contains('/', StringComparison.Ordinal) || value.Contains('%', StringComparison.Ordinal) ? null : value;
        }

        return null;
    }
}
