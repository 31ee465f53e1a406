namespace EksHardening.Operator.Aws;

/// <summary>A pod identity association as listed: which service account it binds, without the role.</summary>
public sealed record EksPodIdentityAssociationSummary(
    string ClusterName, string Namespace, string ServiceAccount, string AssociationId, string AssociationArn, string? OwnerArn);

/// <summary>A pod identity association in full: the IAM role a service account receives.</summary>
public sealed record EksPodIdentityAssociation(
    string ClusterName, string Namespace, string ServiceAccount, string AssociationId, string AssociationArn,
    string RoleArn, string? TargetRoleArn, string? OwnerArn, DateTimeOffset? CreatedAt, DateTimeOffset? ModifiedAt);
