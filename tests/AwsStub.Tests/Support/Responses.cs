namespace EksHardening.AwsStub.Tests.Support;

/// <summary>Reads answers the way the protocols define them, asserting the status first.</summary>
public static class Responses
{
    public static readonly XNamespace IamNs = "https://iam.amazonaws.com/doc/2010-05-08/";
    public static readonly XNamespace StsNs = "https://sts.amazonaws.com/doc/2011-06-15/";
    public static readonly XNamespace Ec2Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /// <summary>An EC2 error: asserts the <c>Response/Errors/Error</c> shape (no namespace, a RequestID) and returns code and message.</summary>
    public static async Task<(string Code, string Message)> Ec2ErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var root = await XmlAsync(response, expected);
        Assert.Equal("Response", root.Name.LocalName);
        Assert.Equal(XNamespace.None, root.Name.Namespace);
        Assert.False(string.IsNullOrEmpty(root.Element("RequestID")?.Value));
        var error = root.Element("Errors")!.Elements("Error").Single();
        return (error.Element("Code")!.Value, error.Element("Message")!.Value);
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    /// <summary>A JSON 1.1 error: the code from <c>__type</c>, and the message.</summary>
    public static async Task<(string Code, string Message)> Json11ErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(response, expected);
        return (body["__type"]!.GetValue<string>(), body["message"]!.GetValue<string>());
    }

    /// <summary>A REST-JSON error: the code from the <c>x-amzn-ErrorType</c> header, and the body.</summary>
    public static async Task<(string Code, JsonObject Body)> RestErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await JsonAsync(response, expected);
        return (response.Headers.GetValues("x-amzn-ErrorType").Single(), body);
    }

    public static async Task<XElement> XmlAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        return XElement.Parse(text);
    }

    /// <summary>A Query error: asserts the ErrorResponse shape in <paramref name="ns"/> and returns its Error element.</summary>
    public static async Task<(string Type, string Code, string Message)> QueryErrorAsync(HttpResponseMessage response, HttpStatusCode expected, XNamespace ns)
    {
        var root = await XmlAsync(response, expected);
        Assert.Equal(ns + "ErrorResponse", root.Name);
        Assert.False(string.IsNullOrEmpty(root.Element(ns + "RequestId")?.Value));
        var error = root.Element(ns + "Error")!;
        return (error.Element(ns + "Type")!.Value, error.Element(ns + "Code")!.Value, error.Element(ns + "Message")!.Value);
    }
}

/// <summary>Test data helpers.</summary>
public static class Digests
{
    /// <summary>A valid sha256 digest derived from a name, so that tests read well.</summary>
    public static string Of(string name) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
