namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The RBAC proof, chart side: the ClusterRole and the Roles grant exactly the calls declared in
/// <see cref="ApiPermissions"/> for the parts of the operator the values turn on — each call, nothing more, no
/// wildcard — bound to the operator's ServiceAccount. (The integration test ApiPermissionsTests proves the running
/// operator makes exactly those calls.)
/// </summary>
[Trait("Category", "Slow")]
public sealed class ChartRbacTests
{
    /// <summary>One thing a role allows: a verb on a resource in a scope, on one named object or on any.</summary>
    private sealed record Grant(string Group, string Resource, string Verb, PermissionScope Scope, string? ResourceName)
    {
        public override string ToString() =>
            $"{(Group.Length == 0 ? "core" : Group)} {Resource} {Verb} ({Scope}{(ResourceName is null ? "" : $", only {ResourceName}")})";
    }

    private static readonly PermissionFeature[] Everything = Enum.GetValues<PermissionFeature>();

    /// <summary>The namespace of the Role that grants each namespaced scope.</summary>
    private static readonly Dictionary<PermissionScope, string> RoleNamespaces = new()
    {
        [PermissionScope.OperatorNamespace] = Helm.ReleaseNamespace,
        [PermissionScope.AwsAuthNamespace] = ClusterRbac.AwsAuthNamespace,
    };

    public static TheoryData<string, string[], string[], PermissionFeature[]> Renders => new()
    {
        { "default values", [], [], Everything },
        { "remediation off", [], ["rbac.remediation=false"], Everything.Except([PermissionFeature.Remediation]).ToArray() },
        { "policy reports off", [], ["policyReports.enabled=false"], Everything.Except([PermissionFeature.PolicyReports]).ToArray() },
        { "webhook off", [], ["webhook.enabled=false"], Everything.Except([PermissionFeature.WebhookCertificates]).ToArray() },
        { "webhook certificate from cert-manager", [], ["webhook.certManager.enabled=true"], Everything.Except([PermissionFeature.WebhookCertificates]).ToArray() },
        { "every optional feature", [HelmChartTests.AllFeaturesValues], [], Everything.Except([PermissionFeature.WebhookCertificates]).ToArray() },
    };

    [SkippableTheory]
    [MemberData(nameof(Renders))]
    public void The_roles_grant_exactly_the_declared_calls(string render, string[] valuesFiles, string[] sets, PermissionFeature[] features)
    {
        var chart = RenderedChart.Parse(Helm.Render(valuesFiles, sets));
        var container = Assert.Single(chart.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers);
        var options = RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null);

        var clusterRole = chart.OperatorClusterRole;
        var granted = Grants(clusterRole.Rules, PermissionScope.Cluster)
            .Concat(RolesByScope(chart).SelectMany(entry => Grants(entry.Value.Rules, entry.Key)))
            .ToHashSet();
        var declared = ApiPermissions.For(features.ToHashSet())
            .Select(p => new Grant(p.Group, p.Resource, p.Verb, p.Scope, p.ResourceName?.Invoke(options.ObjectNames)))
            .ToHashSet();

        var missing = declared.Except(granted).Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList();
        var extra = granted.Except(declared).Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{render}: the chart's roles differ from ApiPermissions.\nNot granted: {string.Join("; ", missing)}\nGranted but not declared: {string.Join("; ", extra)}");
    }

    [SkippableTheory]
    [MemberData(nameof(Renders))]
    public void No_rule_has_a_wildcard_or_a_non_resource_URL(string render, string[] valuesFiles, string[] sets, PermissionFeature[] features)
    {
        Assert.NotEmpty(features);
        var chart = RenderedChart.Parse(Helm.Render(valuesFiles, sets));
        var rules = chart.OperatorClusterRole.Rules.Concat(RolesByScope(chart).Values.SelectMany(r => r.Rules)).ToList();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            Assert.True(rule.NonResourceURLs is null or { Count: 0 }, $"{render}: a rule grants non-resource URLs");
            foreach (var value in rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs).Concat(rule.ResourceNames ?? []))
            {
                Assert.False(value.Contains('*', StringComparison.Ordinal), $"{render}: wildcard '{value}' in a rule");
            }
        }

        Assert.Null(chart.OperatorClusterRole.AggregationRule);
    }

    [SkippableFact]
    public void The_roles_are_bound_to_the_operator_service_account_only()
    {
        var chart = RenderedChart.Parse(Helm.Render());
        var account = chart.Named<V1ServiceAccount>("ServiceAccount", Helm.ReleaseName);
        Assert.Equal(account.Metadata.Name, chart.Single<V1Deployment>("Deployment").Spec.Template.Spec.ServiceAccountName);

        var clusterBinding = chart.Named<V1ClusterRoleBinding>("ClusterRoleBinding", Helm.ReleaseName);
        Assert.Equal(("ClusterRole", chart.OperatorClusterRole.Metadata.Name), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
        Assert.Single(clusterBinding.Subjects);
        var subjects = clusterBinding.Subjects.ToList();

        // Each Role has one RoleBinding, in its namespace (a RoleBinding grants there only), and no binding is left over.
        var roles = RolesByScope(chart).Values.ToList();
        var bindings = chart.OfKind("RoleBinding").Select(RenderedChart.Typed<V1RoleBinding>).ToList();
        Assert.Equal(roles.Count, bindings.Count);
        foreach (var role in roles)
        {
            var binding = Assert.Single(bindings, b => b.Metadata.NamespaceProperty == role.Metadata.NamespaceProperty);
            Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
            Assert.Single(binding.Subjects);
            subjects.AddRange(binding.Subjects);
        }

        foreach (var subject in subjects)
        {
            Assert.Equal(("ServiceAccount", account.Metadata.Name, Helm.ReleaseNamespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }
    }

    [SkippableFact]
    public void People_can_read_policies_and_reports_through_view_and_write_policies_only_through_an_explicit_binding()
    {
        var chart = RenderedChart.Parse(Helm.Render());
        var view = chart.Named<V1ClusterRole>("ClusterRole", Helm.ReleaseName + "-view");
        // view is aggregated into edit, and edit into admin (the bootstrap roles), so one label reaches all three.
        Assert.Equal("true", view.Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-view"]);
        Assert.DoesNotContain(view.Metadata.Labels.Keys, k => k is "rbac.authorization.k8s.io/aggregate-to-edit" or "rbac.authorization.k8s.io/aggregate-to-admin");
        Assert.Equal(
            ["eks-hardening.io responsibilitypolicies", "eks-hardening.io responsibilitypolicies/status", "wgpolicyk8s.io clusterpolicyreports", "wgpolicyk8s.io policyreports"],
            view.Rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.Select(res => $"{g} {res}"))).Order(StringComparer.Ordinal));
        Assert.All(view.Rules, r => Assert.Equal(["get", "list", "watch"], r.Verbs));

        var editor = chart.Named<V1ClusterRole>("ClusterRole", Helm.ReleaseName + "-policy-editor");
        Assert.DoesNotContain(editor.Metadata.Labels.Keys, k => k.StartsWith("rbac.authorization.k8s.io/aggregate-to-", StringComparison.Ordinal));
        var write = Assert.Single(editor.Rules, r => r.Verbs.Contains("create"));
        Assert.Equal("eks-hardening.io responsibilitypolicies", string.Join(" ", write.ApiGroups.Concat(write.Resources)));
        Assert.DoesNotContain(editor.Rules, r => r.Resources.Contains("responsibilitypolicies/status") && r.Verbs.Intersect(["update", "patch"]).Any());
        // Nothing binds them: they are for the cluster's own bindings.
        Assert.DoesNotContain(chart.OfKind("ClusterRoleBinding").Select(RenderedChart.Typed<V1ClusterRoleBinding>), b => b.RoleRef.Name == view.Metadata.Name || b.RoleRef.Name == editor.Metadata.Name);

        var aggregated = RenderedChart.Parse(Helm.Render(sets: ["rbac.policyEditorAggregateTo={admin}"]))
            .Named<V1ClusterRole>("ClusterRole", Helm.ReleaseName + "-policy-editor");
        Assert.Equal(["rbac.authorization.k8s.io/aggregate-to-admin"],
            aggregated.Metadata.Labels.Keys.Where(k => k.StartsWith("rbac.authorization.k8s.io/aggregate-to-", StringComparison.Ordinal)));
        Assert.Contains("must be one of", Helm.Template(sets: ["rbac.policyEditorAggregateTo={view}"]).Stderr, StringComparison.Ordinal);

        var without = RenderedChart.Parse(Helm.Render(sets: ["rbac.aggregateToDefaultRoles=false", "rbac.policyEditorRole=false"]));
        Assert.Equal([Helm.ReleaseName, Helm.ReleaseName + "-crd"], without.OfKind("ClusterRole").Select(RenderedChart.NameOf).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string[], string[], string[]> CrdHookRenders => new()
    {
        // sets, the hook events, the verbs on the CRD
        { [], ["pre-upgrade"], ["get", "patch"] },
        { ["crds.keep=false"], ["pre-upgrade", "post-delete"], ["delete", "get", "patch"] },
        { ["crds.install=false", "crds.keep=false"], ["post-delete"], ["delete", "get"] },
    };

    [SkippableTheory]
    [MemberData(nameof(CrdHookRenders))]
    public void The_CRD_hook_account_may_touch_that_one_CRD_only(string[] sets, string[] events, string[] verbs)
    {
        var chart = RenderedChart.Parse(Helm.Render(sets: sets));
        var role = chart.Named<V1ClusterRole>("ClusterRole", Helm.ReleaseName + "-crd");
        var rule = Assert.Single(role.Rules);
        Assert.Equal("apiextensions.k8s.io customresourcedefinitions responsibilitypolicies.eks-hardening.io",
            string.Join(" ", rule.ApiGroups.Concat(rule.Resources).Concat(rule.ResourceNames)));
        Assert.Equal(verbs, rule.Verbs.Order(StringComparer.Ordinal));

        var binding = chart.Named<V1ClusterRoleBinding>("ClusterRoleBinding", Helm.ReleaseName + "-crd");
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", Helm.ReleaseName + "-crd", Helm.ReleaseNamespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        // The role, its binding and account exist for the hooks only: hooks themselves, at the events their Jobs run.
        foreach (var (kind, name) in new[] { ("ClusterRole", role.Metadata.Name), ("ClusterRoleBinding", binding.Metadata.Name), ("ServiceAccount", subject.Name) })
        {
            var document = chart.OfKind(kind).Single(d => RenderedChart.NameOf(d) == name);
            Assert.Equal(events, RenderedChart.HookOf(document)!.Split(','));
        }
    }

    /// <summary>The chart's Roles, one per namespaced scope, each found by its namespace; any other Role fails the test.</summary>
    private static Dictionary<PermissionScope, V1Role> RolesByScope(RenderedChart chart)
    {
        Assert.Equal(Enum.GetValues<PermissionScope>().Except([PermissionScope.Cluster]).Order(), RoleNamespaces.Keys.Order());
        var roles = chart.OfKind("Role").Select(RenderedChart.Typed<V1Role>).ToList();
        Assert.Equal(RoleNamespaces.Values.Order(StringComparer.Ordinal), roles.Select(r => r.Metadata.NamespaceProperty).Order(StringComparer.Ordinal));
        return RoleNamespaces.ToDictionary(entry => entry.Key, entry => roles.Single(r => r.Metadata.NamespaceProperty == entry.Value));
    }

    private static IEnumerable<Grant> Grants(IEnumerable<V1PolicyRule> rules, PermissionScope scope)
    {
        foreach (var rule in rules)
        {
            IEnumerable<string?> names = rule.ResourceNames is { Count: > 0 } listed ? listed : [null];
            foreach (var group in rule.ApiGroups)
            foreach (var resource in rule.Resources)
            foreach (var verb in rule.Verbs)
            foreach (var name in names)
            {
                yield return new Grant(group, resource, verb, scope, name);
            }
        }
    }
}
