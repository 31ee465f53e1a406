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

        var clusterRole = chart.Single<V1ClusterRole>("ClusterRole");
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
        var rules = chart.Single<V1ClusterRole>("ClusterRole").Rules.Concat(RolesByScope(chart).Values.SelectMany(r => r.Rules)).ToList();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            Assert.True(rule.NonResourceURLs is null or { Count: 0 }, $"{render}: a rule grants non-resource URLs");
            foreach (var value in rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs).Concat(rule.ResourceNames ?? []))
            {
                Assert.False(value.Contains('*', StringComparison.Ordinal), $"{render}: wildcard '{value}' in a rule");
            }
        }

        Assert.Null(chart.Single<V1ClusterRole>("ClusterRole").AggregationRule);
    }

    [SkippableFact]
    public void The_roles_are_bound_to_the_operator_service_account_only()
    {
        var chart = RenderedChart.Parse(Helm.Render());
        var account = chart.Single<V1ServiceAccount>("ServiceAccount");
        Assert.Equal(account.Metadata.Name, chart.Single<V1Deployment>("Deployment").Spec.Template.Spec.ServiceAccountName);

        var clusterBinding = chart.Single<V1ClusterRoleBinding>("ClusterRoleBinding");
        Assert.Equal(("ClusterRole", chart.Single<V1ClusterRole>("ClusterRole").Metadata.Name), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
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
