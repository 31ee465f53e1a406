using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>
/// The IAM calls the IRSA rules need (Query protocol, XML answers). IAM is global per partition; policy
/// documents arrive URL-encoded and are returned decoded. List calls follow <c>Marker</c> while <c>IsTruncated</c>.
/// </summary>
public interface IIamClient
{
    Task<IamRole> GetRoleAsync(string roleName, CancellationToken cancellationToken = default);

    /// <summary>Names of the role's inline policies.</summary>
    Task<IReadOnlyList<string>> ListRolePoliciesAsync(string roleName, CancellationToken cancellationToken = default);

    Task<IamRolePolicy> GetRolePolicyAsync(string roleName, string policyName, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<IamAttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken = default);

    Task<IamManagedPolicy> GetPolicyAsync(string policyArn, CancellationToken cancellationToken = default);

    Task<IamPolicyVersion> GetPolicyVersionAsync(string policyArn, string versionId, CancellationToken cancellationToken = default);
}
