namespace EksHardening.Operator.Facts;

/// <summary>A role and its trust policy (decoded JSON).</summary>
public sealed record IamRole(string RoleName, string RoleId, string Arn, string Path, string AssumeRolePolicyDocument, DateTimeOffset? CreateDate, string? PermissionsBoundaryArn);

/// <summary>An inline policy of a role (decoded JSON document).</summary>
public sealed record IamRolePolicy(string RoleName, string PolicyName, string PolicyDocument);

/// <summary>A managed policy attached to a role.</summary>
public sealed record IamAttachedPolicy(string PolicyName, string PolicyArn);

/// <summary>The parts of a role ARN: <c>arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;path/&gt;&lt;name&gt;</c>.</summary>
public sealed record IamRoleArn(string Partition, string AccountId, string Path, string RoleName)
{
    public static bool TryParse(string? arn, [NotNullWhen(true)] out IamRoleArn? role)
    {
        role = null;
        if (string.IsNullOrWhiteSpace(arn)) return false;
        var parts = arn.Trim().Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].StartsWith("role/", StringComparison.Ordinal)) return false;
        var resource = parts[5]["role/".Length..];
        var slash = resource.LastIndexOf('/');
        var name = slash < 0 ? resource : resource[(slash + 1)..];
        if (name.Length == 0) return false;
        role = new IamRoleArn(parts[1], parts[4], "/" + (slash < 0 ? "" : resource[..(slash + 1)]), name);
        return true;
    }
}
