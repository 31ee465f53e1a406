namespace EksHardening.AwsStub.Iam;

/// <summary>An IAM role to seed: trust policy, inline policies by name, attached managed policy ARNs. Ids and ARN are filled in.</summary>
public sealed record IamRole
{
    public required string Name { get; init; }

    public string Path { get; init; } = "/";

    /// <summary>The trust policy JSON (AssumeRolePolicyDocument), served URL-encoded as IAM does.</summary>
    public string TrustPolicy { get; init; } = """{"Version":"2012-10-17","Statement":[]}""";

    /// <summary>Inline policies: name to policy JSON.</summary>
    public IReadOnlyDictionary<string, string> InlinePolicies { get; init; } = new Dictionary<string, string>();

    /// <summary>ARNs of attached managed policies; seed the policies themselves with <see cref="IamStub.AddManagedPolicy"/>.</summary>
    public IReadOnlyList<string> AttachedPolicyArns { get; init; } = [];

    public string? Description { get; init; }

    public int MaxSessionDuration { get; init; } = 3600;

    public string? PermissionsBoundaryArn { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Filled in: <c>AROA</c> and 17 characters.</summary>
    public string? RoleId { get; init; }

    /// <summary>Filled in: <c>arn:aws:iam::ACCOUNT:role/PATH/NAME</c>.</summary>
    public string? Arn { get; init; }
}

/// <summary>A managed policy with its versions. AWS-managed policies live under <c>arn:aws:iam::aws:policy/</c>.</summary>
public sealed record IamManagedPolicy
{
    public required string Name { get; init; }

    public string Path { get; init; } = "/";

    public bool AwsManaged { get; init; }

    public required IReadOnlyList<IamPolicyVersion> Versions { get; init; }

    public string DefaultVersionId { get; init; } = "v1";

    public string? Description { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Filled in: <c>ANPA</c> and 17 characters.</summary>
    public string? PolicyId { get; init; }

    /// <summary>Filled in from name, path and owner.</summary>
    public string? Arn { get; init; }

    /// <summary>A policy with one version, v1, holding <paramref name="document"/>.</summary>
    public static IamManagedPolicy Create(string name, string document, bool awsManaged = false) =>
        new() { Name = name, AwsManaged = awsManaged, Versions = [new IamPolicyVersion("v1", document)] };
}

/// <summary>One version of a managed policy: v1, v2, … and its JSON document.</summary>
public sealed record IamPolicyVersion(string VersionId, string Document)
{
    public DateTimeOffset? CreatedAt { get; init; }
}
