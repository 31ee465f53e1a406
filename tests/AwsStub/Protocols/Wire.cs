namespace EksHardening.AwsStub.Protocols;

/// <summary>Renders results and errors as each protocol puts them on the wire.</summary>
internal static class Wire
{
    public const string Json11 = "application/x-amz-json-1.1";
    public const string RestJson = "application/json";
    public const string Xml = "text/xml";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static AwsResponse Json(AwsService service, JsonObject body) =>
        new(200, service.Protocol == WireProtocol.AwsJson11 ? Json11 : RestJson, Encoding.UTF8.GetBytes(body.ToJsonString(Compact)));

    /// <summary>A Query response: <c>&lt;OpResponse&gt;&lt;OpResult&gt;…&lt;/OpResult&gt;&lt;ResponseMetadata/&gt;</c> in the service's namespace.</summary>
    public static AwsResponse QueryResult(AwsService service, string operation, string requestId, params object?[] members)
    {
        var root = new XElement(operation + "Response",
            new XElement(operation + "Result", members),
            new XElement("ResponseMetadata", new XElement("RequestId", requestId)));
        return new AwsResponse(200, Xml, XmlBytes(service, root));
    }

    /// <summary>An EC2 response: <c>&lt;OpResponse&gt;&lt;requestId/&gt;…&lt;/OpResponse&gt;</c> in the EC2 namespace, no Result wrapper.</summary>
    public static AwsResponse Ec2Result(AwsService service, string operation, string requestId, params object?[] members) =>
        new(200, Xml, XmlBytes(service, new XElement(operation + "Response", new XElement("requestId", requestId), members)));

    /// <summary>An EC2 list: <c>&lt;name&gt;&lt;item&gt;…&lt;/item&gt;…&lt;/name&gt;</c>.</summary>
    public static XElement Items(string name, IEnumerable<object> items) =>
        new(name, items.Select(i => new XElement("item", i)));

    public static AwsResponse Error(AwsService service, string requestId, AwsServiceException error)
    {
        switch (service.Protocol)
        {
            case WireProtocol.Ec2Query:
            {
                // EC2's error document has no namespace and spells RequestID with a capital D.
                var root = new XElement("Response",
                    new XElement("Errors", new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message))),
                    new XElement("RequestID", requestId));
                return new AwsResponse(error.StatusCode, Xml, Encoding.UTF8.GetBytes(root.ToString(SaveOptions.DisableFormatting)), error.Code);
            }

            case WireProtocol.Query:
            {
                var root = new XElement("ErrorResponse",
                    new XElement("Error",
                        new XElement("Type", error.FaultType),
                        new XElement("Code", error.Code),
                        new XElement("Message", error.Message)),
                    new XElement("RequestId", requestId));
                return new AwsResponse(error.StatusCode, Xml, XmlBytes(service, root), error.Code);
            }

            case WireProtocol.RestJson:
            {
                var body = new JsonObject { ["message"] = error.Message };
                AddFields(body, error);
                return new AwsResponse(error.StatusCode, RestJson, Encoding.UTF8.GetBytes(body.ToJsonString(Compact)), error.Code)
                {
                    Headers = new Dictionary<string, string> { ["x-amzn-ErrorType"] = error.Code },
                };
            }

            default:
            {
                var body = new JsonObject { ["__type"] = error.Code, ["message"] = error.Message };
                AddFields(body, error);
                return new AwsResponse(error.StatusCode, Json11, Encoding.UTF8.GetBytes(body.ToJsonString(Compact)), error.Code);
            }
        }
    }

    /// <summary>JSON timestamps are epoch seconds with a fraction, as the AWS JSON protocols send them.</summary>
    public static JsonNode Epoch(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000m);

    public static JsonNode? Epoch(DateTimeOffset? time) => time is { } t ? Epoch(t) : null;

    /// <summary>Query timestamps are ISO 8601 in UTC.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static XElement? Element(string name, object? content) => content is null ? null : new XElement(name, content);

    /// <summary>A Query list: <c>&lt;Name&gt;&lt;member&gt;…&lt;/member&gt;…&lt;/Name&gt;</c>.</summary>
    public static XElement Members(string name, IEnumerable<object> members) =>
        new(name, members.Select(m => new XElement("member", m)));

    /// <summary>Drops null members so that optional fields are left out rather than sent as null.</summary>
    public static JsonObject Object(params (string Name, JsonNode? Value)[] members)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in members)
        {
            if (value is not null)
            {
                obj[name] = value;
            }
        }

        return obj;
    }

    public static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];

    private static void AddFields(JsonObject body, AwsServiceException error)
    {
        if (error.Fields is null)
        {
            return;
        }

        foreach (var (key, value) in error.Fields)
        {
            body[key] = value?.DeepClone();
        }
    }

    private static byte[] XmlBytes(AwsService service, XElement root)
    {
        XNamespace ns = service.XmlNamespace ?? "";
        foreach (var element in root.DescendantsAndSelf())
        {
            element.Name = ns + element.Name.LocalName;
        }

        return Encoding.UTF8.GetBytes(root.ToString(SaveOptions.DisableFormatting));
    }
}
