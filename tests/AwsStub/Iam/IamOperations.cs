namespace EksHardening.AwsStub.Iam;

/// <summary>The IAM read operations (Query/XML) over the seeded roles and policies, with Marker pagination and NoSuchEntity.</summary>
internal sealed partial class IamOperations(IamStub iam)
{
    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
    };

    public AwsResponse Handle(AwsCall call)
    {
        var input = new Inputs(call);
        object[] result = call.Operation switch
        {
            "GetRole" => GetRole(input),
            "ListRolePolicies" => ListRolePolicies(input),
            "GetRolePolicy" => GetRolePolicy(input),
            "ListAttachedRolePolicies" => ListAttachedRolePolicies(input),
            "GetPolicy" => GetPolicy(input),
            "GetPolicyVersion" => GetPolicyVersion(input),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.QueryResult(call.Service, call.Operation, call.RequestId, result);
    }

    private object[] GetRole(Inputs input)
    {
        var role = Role(input);
        return
        [
            new XElement("Role",
                new XElement("Path", role.Path),
                new XElement("AssumeRolePolicyDocument", Encode(role.TrustPolicy)),
                new XElement("MaxSessionDuration", role.MaxSessionDuration),
                new XElement("RoleId", role.RoleId),
                new XElement("RoleName", role.Name),
                new XElement("Arn", role.Arn),
                new XElement("CreateDate", Wire.Iso(role.CreatedAt!.Value)),
                Wire.Element("Description", role.Description),
                role.PermissionsBoundaryArn is { } boundary
                    ? new XElement("PermissionsBoundary",
                        new XElement("PermissionsBoundaryType", "Policy"),
                        new XElement("PermissionsBoundaryArn", boundary))
                    : null,
                role.Tags.Count > 0 ? Wire.Members("Tags", role.Tags.Select(t => new object[] { new XElement("Key", t.Key), new XElement("Value", t.Value) })) : null,
                new XElement("RoleLastUsed")),
        ];
    }

    private object[] ListRolePolicies(Inputs input)
    {
        var role = Role(input);
        var names = role.InlinePolicies.Keys.Order(StringComparer.Ordinal).ToList();
        var (page, marker) = Page(input, names, $"rolepolicies|{role.Name}");
        return [Wire.Members("PolicyNames", page), .. Truncation(marker)];
    }

    private object[] GetRolePolicy(Inputs input)
    {
        var role = Role(input);
        var name = Name(input, "PolicyName", 128);
        var document = role.InlinePolicies.FirstOrDefault(p => p.Key == name).Value
            ?? throw NoSuchEntity($"The role policy with name {name} cannot be found.");
        return [new XElement("RoleName", role.Name), new XElement("PolicyName", name), new XElement("PolicyDocument", Encode(document))];
    }

    private object[] ListAttachedRolePolicies(Inputs input)
    {
        var role = Role(input);
        var prefix = input.String("PathPrefix") ?? "/";
        var attached = role.AttachedPolicyArns
            .Select(arn => (Arn: arn, Name: arn[(arn.LastIndexOf('/') + 1)..], Path: PathOf(arn)))
            .Where(p => p.Path.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        var (page, marker) = Page(input, attached, $"attached|{role.Name}|{prefix}");
        return
        [
            Wire.Members("AttachedPolicies", page.Select(p => new object[] { new XElement("PolicyName", p.Name), new XElement("PolicyArn", p.Arn) })),
            .. Truncation(marker),
        ];
    }

    private object[] GetPolicy(Inputs input)
    {
        var policy = Policy(input);
        return
        [
            new XElement("Policy",
                new XElement("PolicyName", policy.Name),
                new XElement("PolicyId", policy.PolicyId),
                new XElement("Arn", policy.Arn),
                new XElement("Path", policy.Path),
                new XElement("DefaultVersionId", policy.DefaultVersionId),
                new XElement("AttachmentCount", iam.AttachmentCount(policy.Arn!)),
                new XElement("PermissionsBoundaryUsageCount", iam.BoundaryCount(policy.Arn!)),
                new XElement("IsAttachable", "true"),
                Wire.Element("Description", policy.Description),
                new XElement("CreateDate", Wire.Iso(policy.CreatedAt!.Value)),
                new XElement("UpdateDate", Wire.Iso(policy.Versions.Max(v => v.CreatedAt!.Value)))),
        ];
    }

    private object[] GetPolicyVersion(Inputs input)
    {
        var policy = Policy(input);
        var versionId = input.Required("VersionId");
        if (!VersionPattern().IsMatch(versionId))
        {
            throw input.Constraint("versionId", versionId, @"Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?");
        }

        var version = policy.Versions.FirstOrDefault(v => v.VersionId == versionId)
            ?? throw NoSuchEntity($"Policy {policy.Arn} version {versionId} does not exist or is not attachable.");
        return
        [
            new XElement("PolicyVersion",
                new XElement("Document", Encode(version.Document)),
                new XElement("VersionId", version.VersionId),
                new XElement("IsDefaultVersion", version.VersionId == policy.DefaultVersionId ? "true" : "false"),
                new XElement("CreateDate", Wire.Iso(version.CreatedAt!.Value))),
        ];
    }

    /// <summary>IAM serves policy documents percent-encoded (RFC 3986), as clients must decode them.</summary>
    internal static string Encode(string document) => Uri.EscapeDataString(document);

    private IamRole Role(Inputs input)
    {
        var name = Name(input, "RoleName", 64);
        return iam.FindRole(name) ?? throw NoSuchEntity($"The role with name {name} cannot be found.");
    }

    private IamManagedPolicy Policy(Inputs input)
    {
        var arn = input.Required("PolicyArn", 20, 2048);
        if (!PolicyArnPattern().IsMatch(arn))
        {
            throw new AwsServiceException("InvalidInput", 400, $"ARN {arn} is not valid.");
        }

        return iam.FindPolicy(arn) ?? throw NoSuchEntity($"Policy {arn} does not exist or is not attachable.");
    }

    private static string Name(Inputs input, string member, int maxLength)
    {
        var value = input.String(member) ?? throw input.Constraint(member, null, "Member must not be null");
        if (value.Length == 0 || value.Length > maxLength)
        {
            throw input.Constraint(member, value, value.Length == 0 ? "Member must have length greater than or equal to 1" : $"Member must have length less than or equal to {maxLength}");
        }

        return NamePattern().IsMatch(value) ? value : throw input.Constraint(member, value, @"Member must satisfy regular expression pattern: [\w+=,.@-]+");
    }

    private static (IReadOnlyList<T> Page, string? Marker) Page<T>(Inputs input, IReadOnlyList<T> items, string listing)
    {
        var maxItems = input.Int("MaxItems", 1, 1000) ?? 100;
        var marker = input.String("Marker");
        if (marker is { Length: 0 })
        {
            throw input.Constraint("marker", marker, "Member must have length greater than or equal to 1");
        }

        return PageToken.Page(items, listing, marker, maxItems, () => ServiceErrors.Validation(AwsService.Iam, "Invalid value for parameter Marker."));
    }

    private static object[] Truncation(string? marker) =>
        marker is null
            ? [new XElement("IsTruncated", "false")]
            : [new XElement("IsTruncated", "true"), new XElement("Marker", marker)];

    private static string PathOf(string arn)
    {
        var start = arn.IndexOf(":policy/", StringComparison.Ordinal);
        var end = arn.LastIndexOf('/');
        return start < 0 || end <= start + 7 ? "/" : arn[(start + 7)..(end + 1)];
    }

    private static AwsServiceException NoSuchEntity(string message) => new("NoSuchEntity", 404, message);

    [GeneratedRegex(@"^[\w+=,.@-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+$")]
    private static partial Regex PolicyArnPattern();

    [GeneratedRegex(@"^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$")]
    private static partial Regex VersionPattern();
}
