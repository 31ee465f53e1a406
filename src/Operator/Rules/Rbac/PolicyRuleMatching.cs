namespace EksHardening.Operator.Rules.Rbac;

/// <summary>
/// Whether one PolicyRule of a Role or ClusterRole allows a request, exactly as the RBAC authorizer decides it
/// (kubernetes pkg/apis/rbac/v1/evaluation_helpers.go): "*" matches every verb, API group and resource; a
/// resource entry is matched whole, so <c>pods/*</c> is not a glob, while <c>*/exec</c> matches the exec
/// subresource of every resource; an empty resourceNames allows every name; a non-resource URL entry ending in
/// "*" matches by prefix.
/// </summary>
public static class PolicyRuleMatching
{
    public const string All = "*";

    public static bool Allows(V1PolicyRule rule, RbacRequest request) => request.IsNonResource
        ? VerbMatches(rule, request.Verb) && NonResourceUrlMatches(rule, request.NonResourceUrl!)
        : VerbMatches(rule, request.Verb) && ApiGroupMatches(rule, request.ApiGroup)
          && ResourceMatches(rule, request.Resource, request.Subresource) && ResourceNameMatches(rule, request.Name);

    public static bool VerbMatches(V1PolicyRule rule, string verb) =>
        rule.Verbs?.Any(v => v == All || v == verb) == true;

    public static bool ApiGroupMatches(V1PolicyRule rule, string group) =>
        rule.ApiGroups?.Any(g => g == All || g == group) == true;

    /// <param name="subresource">Empty for the resource itself; <see cref="RbacRequest.AnySubresource"/> for any of its subresources.</param>
    public static bool ResourceMatches(V1PolicyRule rule, string resource, string subresource)
    {
        if (rule.Resources is not { } resources) return false;
        foreach (var entry in resources)
        {
            if (entry == All) return true;
            if (subresource.Length == 0)
            {
                if (entry == resource) return true;
                continue;
            }

            if (subresource == RbacRequest.AnySubresource)
            {
                // Some subresource of the resource: any "resource/x" or "*/x" entry grants one.
                if (entry.StartsWith(resource + "/", StringComparison.Ordinal) || entry.StartsWith("*/", StringComparison.Ordinal)) return true;
                continue;
            }

            if (entry == resource + "/" + subresource || entry == "*/" + subresource) return true;
        }

        return false;
    }

    /// <param name="name">Null: some object, which a rule limited to resourceNames still grants.</param>
    public static bool ResourceNameMatches(V1PolicyRule rule, string? name) =>
        rule.ResourceNames is not { Count: > 0 } names || name is null || names.Contains(name, StringComparer.Ordinal);

    public static bool NonResourceUrlMatches(V1PolicyRule rule, string url)
    {
        if (rule.NonResourceURLs is not { } urls) return false;
        foreach (var entry in urls)
        {
            if (entry == All || entry == url) return true;
            if (entry.EndsWith('*') && url.StartsWith(entry.TrimEnd('*'), StringComparison.Ordinal)) return true;
        }

        return false;
    }

    /// <summary>A rule of "*" verbs on "*" resources (in whichever API groups it names).</summary>
    public static bool IsWildcard(V1PolicyRule rule) =>
        rule.Verbs?.Contains(All) == true && rule.Resources?.Contains(All) == true;
}
