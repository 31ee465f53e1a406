namespace EksHardening.Operator.Tests.Rules.Rbac;

/// <summary>Bindings resolved to roles and identities, with the RBAC reference's own examples.</summary>
public class ClusterRbacTests
{
    private const string ReferenceObjects = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: secret-reader}
        rules: [{apiGroups: [""], resources: [secrets], verbs: [get, watch, list]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: read-secrets, namespace: development}
        subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]
        roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: read-secrets-global}
        subjects: [{kind: Group, name: manager, apiGroup: rbac.authorization.k8s.io}]
        roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: monitoring}
        aggregationRule:
          clusterRoleSelectors:
            - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
        rules: []
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: monitoring-endpoints
          labels: {rbac.example.com/aggregate-to-monitoring: "true"}
        rules: [{apiGroups: [""], resources: [services, endpointslices, pods], verbs: [get, list, watch]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: unrelated, labels: {rbac.example.com/aggregate-to-monitoring: "false"}}
        rules: [{apiGroups: [""], resources: [secrets], verbs: [delete]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: qa-monitoring, namespace: qa}
        subjects: [{kind: Group, name: "system:serviceaccounts:qa", apiGroup: rbac.authorization.k8s.io}]
        roleRef: {kind: ClusterRole, name: monitoring, apiGroup: rbac.authorization.k8s.io}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: missing-role, namespace: qa}
        subjects: [{kind: ServiceAccount, name: builder}]
        roleRef: {kind: Role, name: not-there, apiGroup: rbac.authorization.k8s.io}
        """;

    private static ClusterRbac Rbac(string yaml = ReferenceObjects) =>
        EksHardening.Operator.Rules.ClusterSnapshot.FromObjects(TestEvaluation.Objects(yaml)).Rbac!;

    private static List<(string Binding, string? Namespace)> CanDo(ClusterRbac rbac, RbacIdentity identity, RbacRequest request) =>
        [.. rbac.GrantsTo(identity)
            .Where(g => g.Role.Rules?.Any(r => PolicyRuleMatching.Allows(r, request)) == true)
            .Select(g => (g.Binding.Name, g.Namespace))];

    [Fact]
    public void A_RoleBinding_to_a_ClusterRole_grants_its_rules_in_the_binding_namespace_only()
    {
        // "dave can only read Secrets in the development namespace".
        var grants = CanDo(Rbac(), new RbacIdentity("dave", []), RbacRequest.OnResource("get", "", "secrets"));
        Assert.Equal([("read-secrets", (string?)"development")], grants);
    }

    [Fact]
    public void A_ClusterRoleBinding_grants_a_group_in_every_namespace()
    {
        var grants = CanDo(Rbac(), new RbacIdentity("erin", ["manager"]), RbacRequest.OnResource("list", "", "secrets"));
        Assert.Equal([("read-secrets-global", (string?)null)], grants);
        Assert.Empty(CanDo(Rbac(), new RbacIdentity("manager", []), RbacRequest.OnResource("list", "", "secrets")));
    }

    [Fact]
    public void An_aggregated_ClusterRole_holds_the_rules_of_the_roles_its_selector_selects()
    {
        var rules = Rbac().EffectiveRules("monitoring");
        Assert.Contains(rules, r => PolicyRuleMatching.Allows(r, RbacRequest.OnResource("list", "", "endpointslices")));
        Assert.DoesNotContain(rules, r => PolicyRuleMatching.Allows(r, RbacRequest.OnResource("delete", "", "secrets")));
    }

    [Fact]
    public void Aggregation_is_transitive_cuts_cycles_and_an_empty_selector_selects_every_ClusterRole()
    {
        var rbac = Rbac("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: top, labels: {tier: a}}
            aggregationRule: {clusterRoleSelectors: [{matchLabels: {tier: b}}]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: middle, labels: {tier: b}}
            aggregationRule: {clusterRoleSelectors: [{matchLabels: {tier: a}}, {matchLabels: {tier: c}}]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: leaf, labels: {tier: c}}
            rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: everything}
            aggregationRule: {clusterRoleSelectors: [{}]}
            """);
        var proxy = RbacRequest.OnResource("get", "", "nodes", "proxy");
        Assert.Contains(rbac.EffectiveRules("top"), r => PolicyRuleMatching.Allows(r, proxy));
        Assert.Contains(rbac.EffectiveRules("everything"), r => PolicyRuleMatching.Allows(r, proxy));
    }

    [Theory]
    [InlineData("qa", "builder", true)]        // system:serviceaccounts:qa
    [InlineData("prod", "builder", false)]
    public void A_service_account_is_named_by_the_group_of_its_namespace(string ns, string name, bool granted)
    {
        var grants = CanDo(Rbac(), RbacIdentity.ServiceAccount(ns, name), RbacRequest.OnResource("get", "", "pods"));
        Assert.Equal(granted, grants.Contains(("qa-monitoring", "qa")));
    }

    [Theory]
    [InlineData("User", "system:serviceaccount:qa:builder", null, true)]
    [InlineData("ServiceAccount", "builder", null, true)]      // namespace defaults to the RoleBinding's
    [InlineData("ServiceAccount", "builder", "qa", true)]
    [InlineData("ServiceAccount", "builder", "prod", false)]
    [InlineData("Group", "system:serviceaccounts", null, true)]
    [InlineData("Group", "system:authenticated", null, true)]
    [InlineData("Group", "system:unauthenticated", null, false)]
    [InlineData("User", "builder", null, false)]
    public void Subjects_name_a_service_account_as_the_authorizer_does(string kind, string name, string? ns, bool named) =>
        Assert.Equal(named, RbacIdentity.ServiceAccount("qa", "builder").IsNamedBy(new Rbacv1Subject { Kind = kind, Name = name, NamespaceProperty = ns }, "qa"));

    [Fact]
    public void A_role_that_is_not_among_the_inputs_is_unknown_not_empty()
    {
        var grant = Assert.Single(Rbac().GrantsTo(RbacIdentity.ServiceAccount("qa", "builder")), g => g.Binding.Name == "missing-role");
        Assert.Null(grant.Role.Rules);
        Assert.Contains("Role qa/not-there", grant.Role.Problem);
    }

    [Fact]
    public void A_ClusterRoleBinding_cannot_grant_a_Role()
    {
        var rbac = Rbac("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: odd}
            subjects: [{kind: User, name: u}]
            roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
            """);
        var role = rbac.Resolve(rbac.Bindings[0]);
        Assert.Null(role.Rules);
        Assert.Contains("cannot grant", role.Problem);
    }

    [Theory]
    [InlineData("cluster-admin", "rbac-defaults", "Group:system:masters", "")]
    [InlineData("cluster-admin", "rbac-defaults", "Group:system:masters,User:mallory", "User:mallory")]
    [InlineData("cluster-admin", null, "Group:system:masters", "Group:system:masters")]
    [InlineData("system:public-info-viewer", "rbac-defaults", "Group:system:authenticated,Group:system:unauthenticated", "")]
    [InlineData("system:discovery", "rbac-defaults", "Group:system:authenticated,Group:system:unauthenticated", "Group:system:unauthenticated")]
    [InlineData("system:controller:job-controller", "rbac-defaults", "ServiceAccount:kube-system/job-controller", "")]
    [InlineData("system:controller:job-controller", "rbac-defaults", "ServiceAccount:ci/job-controller", "ServiceAccount:ci/job-controller")]
    [InlineData("unknown-default", "rbac-defaults", "User:someone", "User:someone")]
    [InlineData("eks:addon-manager", null, "User:eks:addon-manager,ServiceAccount:kube-system/x", "")]
    [InlineData("eks:addon-manager", null, "User:eks:addon-manager,Group:system:unauthenticated,User:bob", "Group:system:unauthenticated,User:bob")]
    public void Built_in_bindings_count_only_the_subjects_someone_added(string name, string? label, string subjects, string added)
    {
        var binding = new V1ClusterRoleBinding
        {
            Metadata = new() { Name = name, Labels = label is null ? null : new Dictionary<string, string> { [BuiltInBindings.BootstrappingLabel] = label } },
            RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = name, ApiGroup = "rbac.authorization.k8s.io" },
            Subjects = [.. subjects.Split(',').Select(Subject)],
        };
        var judged = BuiltInBindings.AddedSubjects(RbacBinding.Of(binding));
        Assert.Equal(added, string.Join(",", judged.Select(s => s.Kind == "ServiceAccount" ? $"{s.Kind}:{s.NamespaceProperty}/{s.Name}" : $"{s.Kind}:{s.Name}")));

        static Rbacv1Subject Subject(string text)
        {
            var kind = text[..text.IndexOf(':')];
            var rest = text[(kind.Length + 1)..];
            return kind == "ServiceAccount"
                ? new Rbacv1Subject { Kind = kind, NamespaceProperty = rest.Split('/')[0], Name = rest.Split('/')[1] }
                : new Rbacv1Subject { Kind = kind, Name = rest };
        }
    }
}
