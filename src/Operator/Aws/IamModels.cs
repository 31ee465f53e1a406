namespace EksHardening.Operator.Aws;

/// <summary>A managed policy: its name and default version.</summary>
public sealed record IamManagedPolicy(string PolicyName, string PolicyArn, string PolicyId, string Path, string DefaultVersionId, int? AttachmentCount);

/// <summary>One version of a managed policy (decoded JSON document).</summary>
public sealed record IamPolicyVersion(string PolicyArn, string VersionId, bool IsDefaultVersion, string Document);
