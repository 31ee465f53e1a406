using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>
/// IAM over the Query protocol: form-encoded POST of <c>Action=…&amp;Version=2010-05-08</c> to the partition's
/// global endpoint, signed for its home region (us-east-1 in the commercial partition).
/// </summary>
/// <param name="region">Any region of the partition to use (picks the China or GovCloud IAM endpoint); default us-east-1.</param>
public sealed class IamClient(AwsHttpClient http, string? region = null) : IIamClient
{
    public const string ApiVersion = "2010-05-08";
    public const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>The largest page IAM returns.</summary>
    public const int MaxItems = 1000;

    private readonly string _region = string.IsNullOrWhiteSpace(region) ? "us-east-1" : region;

    public async Task<IamRole> GetRoleAsync(string roleName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        var result = await CallAsync("GetRole", [new("RoleName", roleName)], cancellationToken).ConfigureAwait(false);
        var role = result.Child("Role");
        return new IamRole(
            role.Text("RoleName") ?? roleName,
            role.Text("RoleId") ?? "",
            role.Text("Arn") ?? "",
            role.Text("Path") ?? "/",
            DecodePolicyDocument(role.Text("AssumeRolePolicyDocument")),
            role.Time("CreateDate"),
            role.Child("PermissionsBoundary").Text("PermissionsBoundaryArn"));
    }

    public async Task<IReadOnlyList<string>> ListRolePoliciesAsync(string roleName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        var names = new List<string>();
        await PaginateAsync("ListRolePolicies", [new("RoleName", roleName)],
            result => names.AddRange(result.Child("PolicyNames").Members().Select(m => m.Value.Trim())), cancellationToken).ConfigureAwait(false);
        return names;
    }

    public async Task<IamRolePolicy> GetRolePolicyAsync(string roleName, string policyName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        ArgumentException.ThrowIfNullOrWhiteSpace(policyName);
        var result = await CallAsync("GetRolePolicy", [new("PolicyName", policyName), new("RoleName", roleName)], cancellationToken).ConfigureAwait(false);
        return new IamRolePolicy(result.Text("RoleName") ?? roleName, result.Text("PolicyName") ?? policyName, DecodePolicyDocument(result.Text("PolicyDocument")));
    }

    public async Task<IReadOnlyList<IamAttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        var policies = new List<IamAttachedPolicy>();
        await PaginateAsync("ListAttachedRolePolicies", [new("RoleName", roleName)],
            result => policies.AddRange(result.Child("AttachedPolicies").Members().Select(m => new IamAttachedPolicy(m.Text("PolicyName") ?? "", m.Text("PolicyArn") ?? ""))),
            cancellationToken).ConfigureAwait(false);
        return policies;
    }

    public async Task<IamManagedPolicy> GetPolicyAsync(string policyArn, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyArn);
        var result = await CallAsync("GetPolicy", [new("PolicyArn", policyArn)], cancellationToken).ConfigureAwait(false);
        var policy = result.Child("Policy");
        return new IamManagedPolicy(
            policy.Text("PolicyName") ?? "",
            policy.Text("Arn") ?? policyArn,
            policy.Text("PolicyId") ?? "",
            policy.Text("Path") ?? "/",
            policy.Text("DefaultVersionId") ?? "",
            int.TryParse(policy.Text("AttachmentCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : null);
    }

    public async Task<IamPolicyVersion> GetPolicyVersionAsync(string policyArn, string versionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(versionId);
        var result = await CallAsync("GetPolicyVersion", [new("PolicyArn", policyArn), new("VersionId", versionId)], cancellationToken).ConfigureAwait(false);
        var version = result.Child("PolicyVersion");
        return new IamPolicyVersion(
            policyArn,
            version.Text("VersionId") ?? versionId,
            string.Equals(version.Text("IsDefaultVersion"), "true", StringComparison.OrdinalIgnoreCase),
            DecodePolicyDocument(version.Text("Document")));
    }

    /// <summary>
    /// IAM returns policy documents URL-encoded (RFC 3986); decode them as the SDKs do. A document that is
    /// already JSON (as in some documentation examples and emulators) is returned as it is.
    /// </summary>
    public static string DecodePolicyDocument(string? document)
    {
        if (string.IsNullOrWhiteSpace(document)) return "";
        var trimmed = document.Trim();
        return trimmed.StartsWith('{') ? trimmed : Uri.UnescapeDataString(trimmed);
    }

    /// <summary>The form body of a Query call: Action, Version, then the parameters, each RFC 3986-encoded.</summary>
    public static string FormBody(string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var builder = new StringBuilder();
        builder.Append("Action=").Append(SigV4Signer.UriEncode(action)).Append("&Version=").Append(ApiVersion);
        foreach (var (name, value) in parameters) builder.Append('&').Append(SigV4Signer.UriEncode(name)).Append('=').Append(SigV4Signer.UriEncode(value));
        return builder.ToString();
    }

    private async Task PaginateAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, Action<XElement> readPage, CancellationToken cancellationToken)
    {
        string? marker = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = new List<KeyValuePair<string, string>>(parameters);
            if (marker is not null) page.Add(new("Marker", marker));
            page.Add(new("MaxItems", MaxItems.ToString(CultureInfo.InvariantCulture)));
            var result = await CallAsync(action, page, cancellationToken).ConfigureAwait(false);
            readPage(result);
            var truncated = string.Equals(result.Text("IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
            marker = result.Text("Marker");
            if (!truncated || string.IsNullOrEmpty(marker)) return;
            if (!seen.Add(marker))
            {
                throw new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Iam, action, "IAM returned the same Marker twice.", errorCode: "PaginationLoop");
            }
        }
    }

    /// <summary>Sends one call and returns its <c>&lt;ActionResult&gt;</c> element.</summary>
    private async Task<XElement> CallAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var request = new AwsRequest
        {
            Service = AwsServices.Iam,
            Operation = action,
            Protocol = AwsProtocol.Query,
            Method = HttpMethod.Post,
            Path = "/",
            Body = Encoding.UTF8.GetBytes(FormBody(action, parameters)),
            ContentType = ContentType,
        };
        var body = await http.SendAsync(request, _region, cancellationToken).ConfigureAwait(false);
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            var document = XDocument.Load(stream);
            return document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result")
                ?? throw new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Iam, action, $"The response has no {action}Result element.", errorCode: "MalformedResponse");
        }
        catch (XmlException e)
        {
            throw new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Iam, action, $"The response is not XML: {e.Message}", errorCode: "MalformedResponse", innerException: e);
        }
    }
}

/// <summary>Namespace-agnostic reading of Query protocol XML.</summary>
internal static class QueryXml
{
    public static XElement? Child(this XElement? element, string name) => element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static string? Text(this XElement? element, string name) => element.Child(name)?.Value;

    public static IEnumerable<XElement> Members(this XElement? element) => element?.Elements().Where(e => e.Name.LocalName == "member") ?? [];

    public static DateTimeOffset? Time(this XElement? element, string name) =>
        DateTimeOffset.TryParse(element.Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;
}
