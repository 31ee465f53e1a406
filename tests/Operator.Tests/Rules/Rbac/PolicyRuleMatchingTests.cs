namespace EksHardening.Operator.Tests.Rules.Rbac;

/// <summary>One PolicyRule against one request, as kubernetes pkg/apis/rbac/v1/evaluation_helpers.go decides it.</summary>
public class PolicyRuleMatchingTests
{
    private static V1PolicyRule Rule(string[] groups, string[] resources, string[] verbs, string[]? names = null) =>
        new() { ApiGroups = groups, Resources = resources, Verbs = verbs, ResourceNames = names };

    public static TheoryData<string, V1PolicyRule, RbacRequest, bool> Cases => new()
    {
        // The RBAC reference's pod-reader: get/watch/list pods in the core group.
        { "pod-reader reads pods", Rule([""], ["pods"], ["get", "watch", "list"]), RbacRequest.OnResource("list", "", "pods"), true },
        { "pod-reader does not delete pods", Rule([""], ["pods"], ["get", "watch", "list"]), RbacRequest.OnResource("delete", "", "pods"), false },
        { "pod-reader does not read pods/log", Rule([""], ["pods"], ["get", "watch", "list"]), RbacRequest.OnResource("get", "", "pods", "log"), false },
        { "pods in core do not match apps", Rule([""], ["pods"], ["get"]), RbacRequest.OnResource("get", "apps", "pods"), false },
        // The reference's subresource example: resources [pods, pods/log].
        { "pods/log is granted by name", Rule([""], ["pods", "pods/log"], ["get", "list"]), RbacRequest.OnResource("get", "", "pods", "log"), true },
        // pods/* is not a glob (as upstream); */exec is.
        { "pods/* grants no pods/exec", Rule([""], ["pods/*"], ["create"]), RbacRequest.OnResource("create", "", "pods", "exec"), false },
        { "*/exec grants pods/exec", Rule([""], ["*/exec"], ["create"]), RbacRequest.OnResource("create", "", "pods", "exec"), true },
        { "*/exec grants no pods", Rule([""], ["*/exec"], ["create"]), RbacRequest.OnResource("create", "", "pods"), false },
        { "* grants pods/exec", Rule([""], ["*"], ["create"]), RbacRequest.OnResource("create", "", "pods", "exec"), true },
        { "pods grants no pods/exec", Rule([""], ["pods"], ["create"]), RbacRequest.OnResource("create", "", "pods", "exec"), false },
        // Wildcards in groups and verbs.
        { "* group and verb", Rule(["*"], ["secrets"], ["*"]), RbacRequest.OnResource("watch", "", "secrets"), true },
        { "* verb does not widen resources", Rule(["*"], ["configmaps"], ["*"]), RbacRequest.OnResource("get", "", "secrets"), false },
        // The reference's resourceNames example: get and update of configmap my-configmap.
        { "resourceNames allows the named object", Rule([""], ["configmaps"], ["get", "update"], ["my-configmap"]), RbacRequest.OnResource("get", "", "configmaps", name: "my-configmap"), true },
        { "resourceNames refuses another object", Rule([""], ["configmaps"], ["get", "update"], ["my-configmap"]), RbacRequest.OnResource("get", "", "configmaps", name: "other"), false },
        { "resourceNames still grants some object", Rule([""], ["configmaps"], ["get"], ["my-configmap"]), RbacRequest.OnResource("get", "", "configmaps"), true },
        // Any subresource (impersonating a user extra).
        { "userextras/scopes is some subresource", Rule(["authentication.k8s.io"], ["userextras/scopes"], ["impersonate"]), RbacRequest.OnResource("impersonate", "authentication.k8s.io", "userextras", RbacRequest.AnySubresource), true },
        { "userextras alone is no subresource", Rule(["authentication.k8s.io"], ["userextras"], ["impersonate"]), RbacRequest.OnResource("impersonate", "authentication.k8s.io", "userextras", RbacRequest.AnySubresource), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_rule_allows_a_request_as_the_authorizer_decides(string name, V1PolicyRule rule, RbacRequest request, bool allowed) =>
        Assert.True(allowed == PolicyRuleMatching.Allows(rule, request), name);

    /// <summary>The reference's example: nonResourceURLs ["/healthz", "/healthz/*"], a trailing "*" matching by prefix.</summary>
    [Theory]
    [InlineData("/healthz", "get", true)]
    [InlineData("/healthz/etcd", "post", true)]
    [InlineData("/healthzx", "get", false)]
    [InlineData("/livez", "get", false)]
    [InlineData("/healthz", "delete", false)]
    public void Non_resource_urls_match_exactly_or_by_a_trailing_star(string url, string verb, bool allowed)
    {
        var rule = new V1PolicyRule { NonResourceURLs = ["/healthz", "/healthz/*"], Verbs = ["get", "post"] };
        Assert.Equal(allowed, PolicyRuleMatching.Allows(rule, RbacRequest.OnUrl(verb, url)));
        Assert.False(PolicyRuleMatching.Allows(rule, RbacRequest.OnResource(verb, "", "healthz")));
    }

    [Theory]
    [InlineData(new[] { "*" }, new[] { "*" }, true)]
    [InlineData(new[] { "*" }, new[] { "pods" }, false)]
    [InlineData(new[] { "get" }, new[] { "*" }, false)]
    public void A_wildcard_role_grants_star_verbs_on_star_resources(string[] verbs, string[] resources, bool wildcard) =>
        Assert.Equal(wildcard, PolicyRuleMatching.IsWildcard(new V1PolicyRule { ApiGroups = ["apps"], Resources = resources, Verbs = verbs }));
}
