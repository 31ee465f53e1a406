namespace EksHardening.Operator.Policies;

/// <summary>
/// How objects the operator creates for a policy are marked as its own: the managed-by and policy labels, and a
/// controller ownerReference to the (cluster-scoped) policy, so that deleting the policy garbage-collects them.
/// </summary>
public static class PolicyOwnership
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "eks-hardening";
    public const string PolicyLabel = "eks-hardening.io/policy";
    public const string ManagedBySelector = ManagedByLabel + "=" + ManagedByValue;

    private const int MaxLabelValueLength = 63;
    private const int HashLength = 10;

    /// <summary>The two labels every owned object carries.</summary>
    public static Dictionary<string, string> Labels(string policyName) => new(StringComparer.Ordinal)
    {
        [ManagedByLabel] = ManagedByValue,
        [PolicyLabel] = PolicyLabelValue(policyName),
    };

    /// <summary>
    /// The policy label's value: the policy's name, which is a DNS subdomain of up to 253 characters; a label value
    /// holds at most 63, so a longer name is cut and made unique again by a hash of the whole name.
    /// </summary>
    public static string PolicyLabelValue(string policyName) => Shorten(policyName, MaxLabelValueLength);

    /// <summary><paramref name="name"/> if it fits in <paramref name="maxLength"/>; else its start, a dash and a hash of all of it.</summary>
    public static string Shorten(string name, int maxLength)
    {
        if (name.Length <= maxLength) return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..HashLength];
        // Both names and label values must begin and end with a letter or digit.
        return name[..(maxLength - HashLength - 1)].TrimEnd('-', '.', '_') + "-" + hash;
    }

    /// <summary>A controller reference to the policy; blockOwnerDeletion lets foreground deletion wait for the object.</summary>
    public static V1OwnerReference OwnerReference(ResponsibilityPolicy policy) => new()
    {
        ApiVersion = policy.ApiVersion ?? ResponsibilityPolicy.ApiVersionName,
        Kind = ResponsibilityPolicy.KindName,
        Name = policy.Metadata.Name,
        Uid = policy.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
