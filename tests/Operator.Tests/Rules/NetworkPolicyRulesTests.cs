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

    // ---------------------------------------------------------------- table-driven cases

    /// <summary>
    /// One cluster evaluated under one policy, and the single finding one rule must report on the namespace
    /// <c>shop</c> (<see cref="Subject"/> <c>Namespace</c>) or the Deployment <c>shop/web</c> (<c>Deployment</c>).
    /// </summary>
    public sealed record NetworkCase(
        string Name, string Policy, string Rule, string Subject, string[] Documents, FindingResult Expected,
        string? Path = null, string[]? Says = null)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    private const string DenyEgress = "{podSelector: {}, policyTypes: [Egress]}";

    private static NetworkCase Ns(string name, string policy, string rule, FindingResult expected, string[] documents, string? path = null, params string[] says) =>
        new(name, policy, rule, "Namespace", documents, expected, path, says);

    private static NetworkCase Workload(string name, string policy, string rule, FindingResult expected, string[] documents, string? path = null, params string[] says) =>
        new(name, policy, rule, "Deployment", documents, expected, path, says);

    private static NetworkCase ImdsPasses(string name, params string[] policies) =>
        Workload(name, Imds, ImdsId, FindingResult.Pass, [Shop, Deployment(), .. policies]);

    private static NetworkCase ImdsFails(string name, string? path, string[] says, params string[] policies) =>
        Workload(name, Imds, ImdsId, FindingResult.Fail, [Shop, Deployment(), .. policies], path, says);

    public static TheoryData<TheoryCase<NetworkCase>> Cases() => TheoryCases.Of<NetworkCase>(
    [
        // network.default-deny-ingress — an empty podSelector with Ingress in policyTypes (the default) and no ingress rule.
        Ns("passes with an empty selector and ingress type", DefaultDenyIngressOnly, DefaultDenyIngressId, FindingResult.Pass,
            [Shop, NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}")]),
        // "all policies are assumed to affect ingress" when policyTypes is not specified
        Ns("passes when policy types default to ingress", DefaultDenyIngressOnly, DefaultDenyIngressId, FindingResult.Pass,
            [Shop, NetworkPolicy("deny", "{podSelector: {}}")]),
        Ns("a default deny in another namespace does not count", DefaultDenyIngressOnly, DefaultDenyIngressId, FindingResult.Fail,
            [Shop, NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}", ns: "other")]),
        Ns("namespaces known only from workloads are checked too", DefaultDenyIngressOnly, DefaultDenyIngressId, FindingResult.Fail,
            [Deployment()]),

        // network.default-deny-egress — an empty podSelector with Egress in policyTypes and no egress rule.
        Ns("passes with an empty selector and egress type", DefaultDenyBoth, DefaultDenyEgressId, FindingResult.Pass,
            [Shop, NetworkPolicy("default-deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [], egress: []}")]),
        Ns("a policy with both types passes ingress too", DefaultDenyBoth, DefaultDenyIngressId, FindingResult.Pass,
            [Shop, NetworkPolicy("default-deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [], egress: []}")]),
        Ns("fails when the policy admits some egress", DefaultDenyBoth, DefaultDenyEgressId, FindingResult.Fail,
            [Shop, NetworkPolicy("deny-but-dns", "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}")],
            says: "deny-but-dns selects all pods but has 1 egress rule"),
        Ns("fails when a defaulted egress type comes with rules", DefaultDenyBoth, DefaultDenyEgressId, FindingResult.Fail,
            [Shop, NetworkPolicy("allow-all", "{podSelector: {}, egress: [{}]}")]),
        Ns("fails with a non-empty selector", DefaultDenyBoth, DefaultDenyEgressId, FindingResult.Fail,
            [Shop, NetworkPolicy("web-deny", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}")], says: "web-deny selects only some pods"),

        // network.pod-isolated — some policy selects the workload's pods for every required direction (Ingress by default).
        Workload("passes when matchLabels select the pods", Coverage, PodIsolatedId, FindingResult.Pass,
            [Shop, Deployment(), NetworkPolicy("web", "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {}}]}]}")]),
        Workload("passes when matchExpressions select the pods for each direction", CoverageBoth, PodIsolatedId, FindingResult.Pass,
            [Shop, Deployment(labels: "{app: web, tier: front}"),
             NetworkPolicy("front", "{podSelector: {matchExpressions: [{key: tier, operator: In, values: [front, edge]}]}, policyTypes: [Ingress]}"),
             NetworkPolicy("egress", "{podSelector: {matchExpressions: [{key: app, operator: Exists}, {key: legacy, operator: DoesNotExist}]}, policyTypes: [Egress]}")]),
        Workload("passes under a namespace default deny", CoverageBoth, PodIsolatedId, FindingResult.Pass,
            [Shop, Deployment(), NetworkPolicy("deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}")]),
        Workload("fails without any policy", Coverage, PodIsolatedId, FindingResult.Fail, [Shop, Deployment()], "spec.template.metadata.labels",
            "Deployment shop/web (labels app=web; pod-template-hash set at run time)", "Ingress in its policyTypes"),
        Workload("fails when matchLabels select other pods", Coverage, PodIsolatedId, FindingResult.Fail,
            [Shop, Deployment(), NetworkPolicy("api", "{podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}")]),
        Workload("fails when matchExpressions exclude the pods", Coverage, PodIsolatedId, FindingResult.Fail,
            [Shop, Deployment(), NetworkPolicy("not-web", "{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}, policyTypes: [Ingress]}")]),
        // No policyTypes and no egress rules: the policy defaults to [Ingress] and leaves egress open.
        Workload("requires every direction of requireDefaultDeny", CoverageBoth, PodIsolatedId, FindingResult.Fail,
            [Shop, Deployment(), NetworkPolicy("web", "{podSelector: {matchLabels: {app: web}}, egress: []}")], null,
            "with Egress in its policyTypes", "all their egress traffic is allowed"),
        Workload("requires ingress when requireDefaultDeny is absent", Coverage, PodIsolatedId, FindingResult.Fail,
            [Shop, Deployment(), NetworkPolicy("egress-only", "{podSelector: {}, policyTypes: [Egress]}")]),
        Workload("ignores policies of other namespaces", Coverage, PodIsolatedId, FindingResult.Fail,
            [Shop, Deployment(), NetworkPolicy("deny", "{podSelector: {}}", ns: "other")]),
        Workload("fails host-network pods even when selected", Coverage, PodIsolatedId, FindingResult.Fail,
            [Shop, Deployment(hostNetwork: true), NetworkPolicy("deny", "{podSelector: {}}")], "spec.template.spec.hostNetwork", "hostNetwork"),

        // network.imds-blocked — passes: no egress rule that applies to the pods admits 169.254.169.254:80/TCP.
        ImdsPasses("passes under default deny egress", NetworkPolicy("default-deny-egress", DenyEgress)),
        ImdsPasses("passes when egress rules sit in a policy that only enforces ingress",
            NetworkPolicy("deny", DenyEgress), NetworkPolicy("ingress-only", "{podSelector: {}, policyTypes: [Ingress], egress: [{}]}")),
        ImdsPasses("ignores admitting rules of policies that select other pods",
            NetworkPolicy("deny", DenyEgress), NetworkPolicy("api-open", "{podSelector: {matchLabels: {app: api}}, egress: [{}]}")),
        ImdsPasses("ignores malformed cidrs in ingress rules",
            NetworkPolicy("deny", "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{from: [{ipBlock: {cidr: nonsense}}]}]}")),

        // network.imds-blocked — fails: an applying egress rule admits it, or the pods are not isolated for egress at all.
        ImdsFails("fails for an allow-all egress rule and names policy and rule", "NetworkPolicy shop/allow-all spec.egress[0]",
            ["NetworkPolicy shop/allow-all spec.egress[0] admits egress", "169.254.169.254:80/TCP", "to: any destination; ports: any"],
            NetworkPolicy("default-deny-egress", DenyEgress), NetworkPolicy("allow-all", "{podSelector: {}, policyTypes: [Egress], egress: [{}]}")),
        ImdsFails("fails for an ipBlock of everything without except", "NetworkPolicy shop/internet spec.egress[1]", ["to[0]: ipBlock 0.0.0.0/0"],
            NetworkPolicy("internet", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{podSelector: {}}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}")),
        ImdsFails("fails when the except does not cover the metadata address", null, ["except 10.0.0.0/8, 169.254.169.0/31"],
            NetworkPolicy("internet", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.0/31]}}]}]}")),
        Workload("fails for host network pods even under default deny", Imds, ImdsId, FindingResult.Fail,
            [Shop, Deployment(hostNetwork: true), NetworkPolicy("default-deny-egress", DenyEgress)], "spec.template.spec.hostNetwork",
            "NetworkPolicy does not apply to host-network pods"),
        ImdsFails("fails without egress isolation", "spec.template.metadata.labels",
            ["no NetworkPolicy with Egress in its policyTypes selects the pods of Deployment shop/web"],
            NetworkPolicy("default-deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}"), NetworkPolicy("defaulted", "{podSelector: {}, egress: []}")),
        ImdsFails("fails when the only egress policy selects other pods", null, [],
            NetworkPolicy("api-deny", "{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress]}")),

        // network.imds-blocked — errors: a malformed address is an error naming policy and field, never a pass.
        Workload("errors on a malformed cidr naming policy and field", Imds, ImdsId, FindingResult.Error,
            [Shop, Deployment(), NetworkPolicy("broken", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 169.254.0.0/33}}]}]}")],
            "NetworkPolicy shop/broken spec.egress[0].to[0].ipBlock.cidr", "\"169.254.0.0/33\" is not a valid CIDR"),
        Workload("errors on a malformed except rather than passing", Imds, ImdsId, FindingResult.Error,
            [Shop, Deployment(), NetworkPolicy("broken", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254]}}]}]}")],
            "NetworkPolicy shop/broken spec.egress[0].to[0].ipBlock.except[0]"),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_reports_the_expected_finding(TheoryCase<NetworkCase> row)
    {
        var c = row.Value;
        var evaluation = TestEvaluation.Evaluate(c.Policy, Docs(c.Documents));
        var finding = Assert.Single(evaluation.FindingsOf(c.Subject, c.Subject == "Namespace" ? "shop" : "web").Of(c.Rule));

        Assert.True(finding.Result == c.Expected, $"expected {c.Expected}, got {finding.Result}: {finding.Message} at {finding.Path}");
        if (c.Path is not null) Assert.Equal(c.Path, finding.Path);
        foreach (var part in c.Says ?? []) Assert.Contains(part, finding.Message, StringComparison.Ordinal);
    }

    /// <summary>The acceptance bar: every rule of the family has a passing and at least two failing cases.</summary>
    [Fact]
    public void Every_rule_has_a_passing_and_two_failing_cases() =>
        TestEvaluation.AssertEveryRuleHasAPassAndTwoFailures(new NetworkPolicyRules(), TheoryCases.Rows(Cases()).Select(c => (c.Rule, c.Expected)));

    // ---------------------------------------------------------------- default deny ingress

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
    public void Default_deny_ingress_fails_when_the_namespace_has_no_policy()
    {
        var finding = Assert.Single(NamespaceFindings(DefaultDenyIngressOnly, DefaultDenyIngressId, Shop));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("namespace shop has no default-deny Ingress NetworkPolicy", finding.Message, StringComparison.Ordinal);
        Assert.Contains("no NetworkPolicy at all", finding.Message, StringComparison.Ordinal);
        Assert.Contains("default-deny-ingress", finding.Rule.Remediation, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- default deny egress

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
    public void Only_the_required_directions_are_reported()
    {
        var findings = TestEvaluation.Evaluate(DefaultDenyIngressOnly, Shop).FindingsOf("Namespace", "shop");
        Assert.Empty(findings.Of(DefaultDenyEgressId));
        Assert.Single(findings.Of(DefaultDenyIngressId));
    }

    // ---------------------------------------------------------------- pod isolated

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

    // ---------------------------------------------------------------- IMDS blocked

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
    public void Imds_fail_outranks_a_malformed_cidr_elsewhere()
    {
        var evaluation = TestEvaluation.Evaluate(Imds, Docs(Shop, Deployment(),
            NetworkPolicy("mixed", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: nonsense}}]}, {}]}")));
        var findings = evaluation.FindingsOf("Deployment", "web").Of(ImdsId);
        Assert.Equal([FindingResult.Fail, FindingResult.Error], findings.Select(f => f.Result).Order());
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Deployment", "web", ImdsId));
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
