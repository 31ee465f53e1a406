using EksHardening.Entities;
using EksHardening.Operator.Rules;
using EksHardening.Operator.Tests.Support;

namespace EksHardening.Operator.Tests.Rules;

public class NetworkPolicyRulesTests
{
    private const string DefaultDenyIngressId = "network.default-deny-ingress";
    private const string DefaultDenyEgressId = "network.default-deny-egress";
    private const string PodIsolatedId = "network.pod-isolated";
    private const string ImdsId = "network.imds-blocked";

    private const string DefaultDenyBoth = "networkPolicies: {requireDefaultDeny: [Ingress, Egress]}";
    private const string DefaultDenyIngressOnly = "networkPolicies: {requireDefaultDeny: [Ingress]}";
    private const string Coverage = "networkPolicies: {requirePodCoverage: true}";
    private const string CoverageBoth = "networkPolicies: {requireDefaultDeny: [Ingress, Egress], requirePodCoverage: true}";
    private const string Imds = "networkPolicies: {blockInstanceMetadata: true}";

    private const string Shop = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";

    private static string Deployment(string name = "web", string labels = "{app: web}", string ns = "shop", bool hostNetwork = false) =>
        $"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        + $"spec:\n  selector: {{matchLabels: {labels}}}\n  template:\n    metadata: {{labels: {labels}}}\n"
        + $"    spec:\n      hostNetwork: {(hostNetwork ? "true" : "false")}\n      containers: [{{name: app, image: nginx}}]\n";

    private static string NetworkPolicy(string name, string spec, string ns = "shop") =>
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {spec}\n";

    private static string Docs(params string[] documents) => string.Join("---\n", documents);

    private static IReadOnlyList<Finding> NamespaceFindings(string policy, string rule, params string[] documents) =>
        TestEvaluation.Evaluate(policy, Docs(documents)).FindingsOf("Namespace", "shop").Of(rule);

    private static IReadOnlyList<Finding> WorkloadFindings(string policy, string rule, params string[] documents) =>
        TestEvaluation.Evaluate(policy, Docs(documents)).FindingsOf("Deployment", "web").Of(rule);

    // ---------------------------------------------------------------- catalog

    [Fact]
    public void The_family_declares_four_rules_in_the_network_security_row()
    {
        var rules = new NetworkPolicyRules().Rules;
        Assert.Equal([DefaultDenyIngressId, DefaultDenyEgressId, PodIsolatedId, ImdsId], rules.Select(r => r.Id));
        Assert.All(rules, r => Assert.Equal(ResponsibilityRow.NetworkSecurity, r.Row));
        Assert.All(rules, r => Assert.StartsWith("networkPolicies.", r.Duty, StringComparison.Ordinal));
        Assert.Equal([RuleScope.Namespace, RuleScope.Namespace, RuleScope.Workload, RuleScope.Workload], rules.Select(r => r.Scope));
        Assert.Equal(Severity.High, rules.Single(r => r.Id == ImdsId).Severity);
        Assert.All(rules, r => Assert.Same(r, RuleCatalog.Find(r.Id)));
    }

    [Theory]
    [InlineData("podSecurity: {level: baseline}", "")]
    [InlineData("networkPolicies: {}", "")]
    [InlineData("networkPolicies: {requireDefaultDeny: []}", "")]
    [InlineData(DefaultDenyIngressOnly, DefaultDenyIngressId)]
    [InlineData("networkPolicies: {requireDefaultDeny: [Egress]}", DefaultDenyEgressId)]
    [InlineData("networkPolicies: {requireDefaultDeny: [Egress, Ingress], requirePodCoverage: true, blockInstanceMetadata: true, remediate: true}",
        DefaultDenyIngressId + "," + DefaultDenyEgressId + "," + PodIsolatedId + "," + ImdsId)]
    [InlineData("networkPolicies: {requirePodCoverage: false, blockInstanceMetadata: true}", ImdsId)]
    public void Each_rule_is_turned_on_by_its_duty(string policy, string expected)
    {
        var enabled = new NetworkPolicyRules().EnabledRules(TestEvaluation.Policy(policy).Spec);
        Assert.Equal(expected, string.Join(",", enabled.Select(r => r.Id)));
    }

    // ---------------------------------------------------------------- default deny ingress

    [Fact]
    public void Default_deny_ingress_passes_with_an_empty_selector_and_ingress_type()
    {
        var findings = NamespaceFindings(DefaultDenyIngressOnly, DefaultDenyIngressId,
            Shop, NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Default_deny_ingress_passes_when_policy_types_default_to_ingress()
    {
        // "all policies are assumed to affect ingress" when policyTypes is not specified
        var findings = NamespaceFindings(DefaultDenyIngressOnly, DefaultDenyIngressId,
            Shop, NetworkPolicy("deny", "{podSelector: {}}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Default_deny_ingress_fails_when_the_namespace_has_no_policy()
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyIngressOnly, DefaultDenyIngressId, Shop));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("namespace shop has no default-deny Ingress NetworkPolicy", finding.Message, StringComparison.Ordinal);
        Assert.Contains("no NetworkPolicy at all", finding.Message, StringComparison.Ordinal);
        Assert.Contains("default-deny-ingress", finding.Rule.Remediation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{podSelector: {}, ingress: [{}]}", "selects all pods but has 1 ingress rule")]
    [InlineData("{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}]}, {from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}", "selects all pods but has 2 ingress rules")]
    [InlineData("{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}", "selects only some pods")]
    [InlineData("{podSelector: {}, policyTypes: [Egress]}", "has policyTypes [Egress]")]
    public void Default_deny_ingress_fails_for_near_misses_and_says_why(string spec, string why)
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyIngressOnly, DefaultDenyIngressId, Shop, NetworkPolicy("near", spec)));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains($"near {why}", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_deny_in_another_namespace_does_not_count()
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyIngressOnly, DefaultDenyIngressId,
            Shop, NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}", ns: "other")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Namespaces_known_only_from_workloads_are_checked_too()
    {
        var evaluation = TestEvaluation.Evaluate(DefaultDenyIngressOnly, Deployment());
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Namespace", "shop", DefaultDenyIngressId));
    }

    // ---------------------------------------------------------------- default deny egress

    [Fact]
    public void Default_deny_egress_passes_with_an_empty_selector_and_egress_type()
    {
        var evaluation = TestEvaluation.Evaluate(DefaultDenyBoth, Docs(Shop,
            NetworkPolicy("default-deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [], egress: []}")));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Namespace", "shop", DefaultDenyEgressId));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Namespace", "shop", DefaultDenyIngressId));
    }

    [Fact]
    public void Default_deny_egress_fails_when_an_empty_egress_list_leaves_policy_types_at_ingress()
    {
        // egress: [] is not "an egress section" for defaulting: policyTypes stays [Ingress].
        var evaluation = TestEvaluation.Evaluate(DefaultDenyBoth, Docs(Shop, NetworkPolicy("deny", "{podSelector: {}, egress: []}")));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Namespace", "shop", DefaultDenyIngressId));
        var finding = Assert.Single(evaluation.FindingsOf("Namespace", "shop").Of(DefaultDenyEgressId));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("deny has no policyTypes, which defaults to [Ingress]", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_deny_egress_fails_when_the_policy_admits_some_egress()
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyBoth, DefaultDenyEgressId, Shop,
            NetworkPolicy("deny-but-dns", "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("deny-but-dns selects all pods but has 1 egress rule", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_deny_egress_fails_when_defaulted_egress_type_comes_with_rules()
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyBoth, DefaultDenyEgressId, Shop,
            NetworkPolicy("allow-all", "{podSelector: {}, egress: [{}]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Default_deny_egress_fails_with_a_non_empty_selector()
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyBoth, DefaultDenyEgressId, Shop,
            NetworkPolicy("web-deny", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("web-deny selects only some pods", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_required_directions_are_reported()
    {
        var findings = TestEvaluation.Evaluate(DefaultDenyIngressOnly, Shop).FindingsOf("Namespace", "shop");
        Assert.Empty(findings.Of(DefaultDenyEgressId));
        Assert.Single(findings.Of(DefaultDenyIngressId));
    }

    // ---------------------------------------------------------------- pod isolated

    [Fact]
    public void Pod_isolated_passes_when_matchLabels_select_the_pods()
    {
        var findings = WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("web", "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {}}]}]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Pod_isolated_passes_when_matchExpressions_select_the_pods_for_each_direction()
    {
        var findings = WorkloadFindings(CoverageBoth, PodIsolatedId, Shop, Deployment(labels: "{app: web, tier: front}"),
            NetworkPolicy("front", "{podSelector: {matchExpressions: [{key: tier, operator: In, values: [front, edge]}]}, policyTypes: [Ingress]}"),
            NetworkPolicy("egress", "{podSelector: {matchExpressions: [{key: app, operator: Exists}, {key: legacy, operator: DoesNotExist}]}, policyTypes: [Egress]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Pod_isolated_passes_under_a_namespace_default_deny()
    {
        var findings = WorkloadFindings(CoverageBoth, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Pod_isolated_fails_without_any_policy()
    {
        var finding = Assert.Single(WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment()));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.template.metadata.labels", finding.Path);
        Assert.Contains("Deployment shop/web (labels app=web; pod-template-hash set at run time)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Ingress in its policyTypes", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_isolated_fails_when_matchLabels_select_other_pods()
    {
        var finding = Assert.Single(WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("api", "{podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Pod_isolated_fails_when_matchExpressions_exclude_the_pods()
    {
        var finding = Assert.Single(WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("not-web", "{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}, policyTypes: [Ingress]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Pod_isolated_requires_every_direction_of_requireDefaultDeny()
    {
        // No policyTypes and no egress rules: the policy defaults to [Ingress] and leaves egress open.
        var finding = Assert.Single(WorkloadFindings(CoverageBoth, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("web", "{podSelector: {matchLabels: {app: web}}, egress: []}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("with Egress in its policyTypes", finding.Message, StringComparison.Ordinal);
        Assert.Contains("all their egress traffic is allowed", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_isolated_requires_ingress_when_requireDefaultDeny_is_absent()
    {
        var finding = Assert.Single(WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("egress-only", "{podSelector: {}, policyTypes: [Egress]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Pod_isolated_ignores_policies_of_other_namespaces()
    {
        var finding = Assert.Single(WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment(),
            NetworkPolicy("deny", "{podSelector: {}}", ns: "other")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Pod_isolated_fails_host_network_pods_even_when_selected()
    {
        var finding = Assert.Single(WorkloadFindings(Coverage, PodIsolatedId, Shop, Deployment(hostNetwork: true),
            NetworkPolicy("deny", "{podSelector: {}}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.template.spec.hostNetwork", finding.Path);
        Assert.Contains("hostNetwork", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_isolated_reads_the_labels_of_bare_pods_and_cronjob_templates()
    {
        const string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: shop, labels: {app: solo}}\nspec: {containers: [{name: a, image: nginx}]}\n";
        const string cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec:\n  schedule: '0 0 * * *'\n"
            + "  jobTemplate: {spec: {template: {metadata: {labels: {app: nightly}}, spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}}}}\n";
        var evaluation = TestEvaluation.Evaluate(Coverage, Docs(Shop, pod, cron,
            NetworkPolicy("solo", "{podSelector: {matchLabels: {app: solo}}}")));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Pod", "solo", PodIsolatedId));
        var finding = Assert.Single(evaluation.FindingsOf("CronJob", "nightly").Of(PodIsolatedId));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.jobTemplate.spec.template.metadata.labels", finding.Path);
    }

    // ---------------------------------------------------------------- IMDS blocked: passes

    private const string DenyEgress = "{podSelector: {}, policyTypes: [Egress]}";

    [Fact]
    public void Imds_passes_under_default_deny_egress()
    {
        var findings = WorkloadFindings(Imds, ImdsId, Shop, Deployment(), NetworkPolicy("default-deny-egress", DenyEgress));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Theory]
    [InlineData("[{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]")]
    [InlineData("[{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.0.0/16]}}]}]")]
    [InlineData("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]")]
    [InlineData("[{ports: [{protocol: TCP, port: 443}, {protocol: UDP, port: 53}]}]")]
    [InlineData("[{to: [{ipBlock: {cidr: 169.254.169.254/32}}], ports: [{protocol: UDP, port: 80}]}]")]
    [InlineData("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]")]
    [InlineData("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 81, endPort: 65535}]}]")]
    [InlineData("[{to: [{namespaceSelector: {}}]}]")]
    [InlineData("[{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]}]")]
    [InlineData("[{to: [{podSelector: {}}]}]")]
    [InlineData("[{to: [{ipBlock: {cidr: 10.0.0.0/8}}, {ipBlock: {cidr: '::/0'}}]}]")]
    public void Imds_passes_when_no_egress_rule_admits_it(string egress)
    {
        var findings = WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("web-egress", $"{{podSelector: {{matchLabels: {{app: web}}}}, policyTypes: [Egress], egress: {egress}}}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Imds_passes_when_egress_rules_sit_in_a_policy_that_only_enforces_ingress()
    {
        var findings = WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("deny", DenyEgress),
            NetworkPolicy("ingress-only", "{podSelector: {}, policyTypes: [Ingress], egress: [{}]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    [Fact]
    public void Imds_ignores_admitting_rules_of_policies_that_select_other_pods()
    {
        var findings = WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("deny", DenyEgress),
            NetworkPolicy("api-open", "{podSelector: {matchLabels: {app: api}}, egress: [{}]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    // ---------------------------------------------------------------- IMDS blocked: failures

    [Fact]
    public void Imds_fails_for_an_allow_all_egress_rule_and_names_policy_and_rule()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("default-deny-egress", DenyEgress),
            NetworkPolicy("allow-all", "{podSelector: {}, policyTypes: [Egress], egress: [{}]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("NetworkPolicy shop/allow-all spec.egress[0]", finding.Path);
        Assert.Contains("NetworkPolicy shop/allow-all spec.egress[0] admits egress", finding.Message, StringComparison.Ordinal);
        Assert.Contains("169.254.169.254:80/TCP", finding.Message, StringComparison.Ordinal);
        Assert.Contains("to: any destination; ports: any", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_fails_for_an_ipBlock_of_everything_without_except()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("internet", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{podSelector: {}}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("NetworkPolicy shop/internet spec.egress[1]", finding.Path);
        Assert.Contains("to[0]: ipBlock 0.0.0.0/0", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_fails_when_the_except_does_not_cover_the_metadata_address()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("internet", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.0/31]}}]}]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("except 10.0.0.0/8, 169.254.169.0/31", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{to: [{ipBlock: {cidr: 169.254.0.0/16}}], ports: [{port: 1, endPort: 1024}]}]", "ports[0]: TCP 1-1024")]
    [InlineData("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}, {protocol: TCP, port: 80, endPort: 80}]}]", "ports[1]: TCP 80-80")]
    [InlineData("[{ports: [{port: 80}]}]", "ports[0]: TCP 80")]
    [InlineData("[{to: [{ipBlock: {cidr: 169.254.169.254/32}}], ports: [{protocol: TCP}]}]", "ports[0]: TCP any port")]
    [InlineData("[{to: [{ipBlock: {cidr: 169.254.169.254/16}}]}]", "ipBlock 169.254.169.254/16")]
    public void Imds_fails_when_ports_admit_tcp_80(string egress, string detail)
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("web-egress", $"{{podSelector: {{}}, policyTypes: [Egress], egress: {egress}}}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains(detail, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_fails_for_host_network_pods_even_under_default_deny()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(hostNetwork: true),
            NetworkPolicy("default-deny-egress", DenyEgress)));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.template.spec.hostNetwork", finding.Path);
        Assert.Contains("NetworkPolicy does not apply to host-network pods", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_fails_without_egress_isolation()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}"),
            NetworkPolicy("defaulted", "{podSelector: {}, egress: []}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.template.metadata.labels", finding.Path);
        Assert.Contains("no NetworkPolicy with Egress in its policyTypes selects the pods of Deployment shop/web", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_fails_when_the_only_egress_policy_selects_other_pods()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("api-deny", "{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress]}")));
        Assert.Equal(FindingResult.Fail, finding.Result);
    }

    [Fact]
    public void Imds_reports_every_admitting_rule()
    {
        var findings = WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("a", "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 443}]}, {}]}"),
            NetworkPolicy("b", "{podSelector: {matchLabels: {app: web}}, egress: [{to: [{ipBlock: {cidr: 169.254.169.254/32}}]}]}"));
        Assert.Equal(["NetworkPolicy shop/a spec.egress[1]", "NetworkPolicy shop/b spec.egress[0]"], findings.Select(f => f.Path));
        Assert.All(findings, f => Assert.Equal(FindingResult.Fail, f.Result));
    }

    // ---------------------------------------------------------------- IMDS blocked: errors

    [Fact]
    public void Imds_errors_on_a_malformed_cidr_naming_policy_and_field()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("broken", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 169.254.0.0/33}}]}]}")));
        Assert.Equal(FindingResult.Error, finding.Result);
        Assert.Equal("NetworkPolicy shop/broken spec.egress[0].to[0].ipBlock.cidr", finding.Path);
        Assert.Contains("\"169.254.0.0/33\" is not a valid CIDR", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imds_errors_on_a_malformed_except_rather_than_passing()
    {
        var finding = Assert.Single(WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("broken", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254]}}]}]}")));
        Assert.Equal(FindingResult.Error, finding.Result);
        Assert.Equal("NetworkPolicy shop/broken spec.egress[0].to[0].ipBlock.except[0]", finding.Path);
    }

    [Fact]
    public void Imds_fail_outranks_a_malformed_cidr_elsewhere()
    {
        var evaluation = TestEvaluation.Evaluate(Imds, Docs(Shop, Deployment(),
            NetworkPolicy("mixed", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: nonsense}}]}, {}]}")));
        var findings = evaluation.FindingsOf("Deployment", "web").Of(ImdsId);
        Assert.Equal([FindingResult.Fail, FindingResult.Error], findings.Select(f => f.Result).Order());
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Deployment", "web", ImdsId));
    }

    [Fact]
    public void Imds_ignores_malformed_cidrs_in_ingress_rules()
    {
        var findings = WorkloadFindings(Imds, ImdsId, Shop, Deployment(),
            NetworkPolicy("deny", "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{from: [{ipBlock: {cidr: nonsense}}]}]}"));
        Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
    }

    // ---------------------------------------------------------------- together

    [Fact]
    public void A_hardened_namespace_passes_every_rule()
    {
        const string policy = "networkPolicies: {requireDefaultDeny: [Ingress, Egress], requirePodCoverage: true, blockInstanceMetadata: true}";
        var evaluation = TestEvaluation.Evaluate(policy, Docs(Shop, Deployment(),
            NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}"),
            NetworkPolicy("default-deny-egress", DenyEgress),
            NetworkPolicy("allow-dns", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]}"),
            NetworkPolicy("web-https-out", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}], ports: [{port: 443}]}]}")));
        Assert.All(evaluation.AllFindings, f => Assert.Equal(FindingResult.Pass, f.Result));
        Assert.Equal(2 + 2, evaluation.AllFindings.Count());
        Assert.Equal(0, evaluation.Summary.Violating);
    }
}
