namespace EksHardening.AwsStub.Protocols;

/// <summary>One authenticated call to an operation, with its input in the shape its protocol sent it.</summary>
internal sealed class AwsCall
{
    public required string RequestId { get; init; }

    public required AwsService Service { get; init; }

    public required string Operation { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary>The JSON body (JSON 1.1, or a REST-JSON body); empty when there is none.</summary>
    public JsonObject Json { get; init; } = [];

    /// <summary>Query protocol parameters (Action, Version and the operation's members).</summary>
    public IReadOnlyDictionary<string, string> Form { get; init; } = new Dictionary<string, string>();

    /// <summary>REST path labels, decoded.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>REST query string parameters, decoded.</summary>
    public IReadOnlyDictionary<string, string> QueryString { get; init; } = new Dictionary<string, string>();

    /// <summary>REST query string parameters with every value of a repeated name (a list member such as <c>clusterVersions</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> QueryLists { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The principal whose key signed the call; null for the unsigned STS operations.</summary>
    public KnownCredential? Caller { get; set; }

    /// <summary>Every input member flattened to <c>a.b.0.c</c> paths, for the request log and fault predicates.</summary>
    public IReadOnlyDictionary<string, string> Parameters()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(Json, "", result);
        foreach (var (key, value) in Form)
        {
            if (key is not "Action" and not "Version" && !key.StartsWith("X-Amz-", StringComparison.Ordinal))
            {
                result[key] = value;
            }
        }

        foreach (var (key, value) in Labels)
        {
            result[key] = value;
        }

        foreach (var (key, value) in QueryString)
        {
            result[key] = value;
        }

        return result;
    }

    private static void Flatten(JsonNode? node, string prefix, Dictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i], $"{prefix}.{i.ToString(CultureInfo.InvariantCulture)}", into);
                }

                break;
            case JsonValue value when prefix.Length > 0:
                into[prefix] = value.TryGetValue<string>(out var text) ? text : value.ToJsonString();
                break;
        }
    }
}
