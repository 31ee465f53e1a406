namespace EksHardening.Operator.Tests.Rules;

public class PolicyEvaluatorTests
{
    private const string LatestPolicy = "imageScanning: {disallowLatestTag: true}";

    private const string OwnedChain = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, uid: d-1}
        spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: app, image: "nginx:latest"}]}}}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web-7d9, namespace: shop, uid: rs-1, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]}
        spec: {template: {spec: {containers: [{name: app, image: "nginx:latest"}]}}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-7d9-x2, namespace: shop, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9, uid: rs-1, controller: true}]}
        spec: {containers: [{name: app, image: "nginx:latest"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: bare, namespace: shop}
        spec: {containers: [{name: app, image: "nginx:latest"}]}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: nightly-1, namespace: shop, ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: nightly}]}
        spec: {template: {spec: {containers: [{name: app, image: "tool:latest"}]}}}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly, namespace: shop}
        spec: {schedule: "@daily", jobTemplate: {spec: {template: {spec: {containers: [{name: app, image: "tool:latest"}]}}}}}
        """;

    [Fact]
    public void Owned_pods_are_reported_once_on_their_top_owner()
    {
        var evaluation = TestEvaluation.Evaluate(LatestPolicy, OwnedChain);
        Assert.Equal(["Deployment web", "Pod bare", "CronJob nightly"],
            evaluation.Resources.Select(r => $"{r.Resource.Kind} {r.Resource.Name}").ToArray());
    }

    [Fact]
    public void A_workload_judged_after_a_failing_one_starts_from_nothing()
    {
        // One collector serves the evaluation's workloads: what the first reported (fails, a not-applicable rule)
        // must not reach the second, which passes everything.
        var evaluation = TestEvaluation.Evaluate(
            "podSecurity: {level: baseline}\nirsa: {disallowSharedRoles: true}",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: first, namespace: shop}
            spec: {serviceAccountName: plain, hostPID: true, containers: [{name: app, image: "nginx:1", securityContext: {privileged: true}}]}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: plain, namespace: shop}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: second, namespace: shop}
            spec: {serviceAccountName: app, containers: [{name: app, image: "nginx:1"}]}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: app, namespace: shop, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/shop"}}
            """);

        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Pod", "first", "pss.privileged"));
        Assert.Empty(evaluation.FindingsOf("Pod", "first").Of("irsa.role-not-shared"));
        var second = evaluation.FindingsOf("Pod", "second");
        Assert.All(second, f => Assert.Equal(FindingResult.Pass, f.Result));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Pod", "second", "irsa.role-not-shared"));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Pod", "second", "pss.privileged"));
    }

    [Fact]
    public void A_template_whose_labels_changed_is_judged_on_its_new_labels()
    {
        // The view keeps the labels its pods will carry; a changed Deployment is a new view, never the old labels.
        const string Objects = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {template: {metadata: {labels: {tier: TIER}}, spec: {containers: [{name: app, image: "nginx:1"}]}}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web-only, namespace: shop}
            spec: {podSelector: {matchLabels: {tier: web}}, policyTypes: [Ingress]}
            """;
        var policy = TestEvaluation.Policy("networkPolicies: {requirePodCoverage: true}");
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        var web = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Objects.Replace("TIER", "web", StringComparison.Ordinal)));
        var worker = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Objects.Replace("TIER", "worker", StringComparison.Ordinal)));

        Assert.Equal(FindingResult.Pass, evaluator.Evaluate(policy, web).ResultOf("Deployment", "web", "network.pod-isolated"));
        Assert.Equal(FindingResult.Fail, evaluator.Evaluate(policy, worker).ResultOf("Deployment", "web", "network.pod-isolated"));
        Assert.Equal(FindingResult.Pass, evaluator.Evaluate(policy, web).ResultOf("Deployment", "web", "network.pod-isolated"));
    }

    [Fact]
    public void When_the_owner_kind_is_out_of_scope_the_child_is_reported()
    {
        var evaluation = TestEvaluation.Evaluate(LatestPolicy + "\nmatch: {kinds: [Pod, ReplicaSet]}", OwnedChain);
        Assert.Equal(["ReplicaSet web-7d9", "Pod bare"], evaluation.Resources.Select(r => $"{r.Resource.Kind} {r.Resource.Name}").ToArray());
    }

    private const string TwoNamespaces = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: prod-a, labels: {env: prod}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: dev, labels: {env: dev}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: prod-a, labels: {app: old-etl}}
        spec: {containers: [{name: app, image: "nginx:latest"}, {name: side, image: "vendor.example.com/etl:latest"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: d, namespace: dev}
        spec: {containers: [{name: app, image: "nginx:latest"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: k, namespace: kube-system}
        spec: {containers: [{name: app, image: "nginx:latest"}]}
        """;

    [Fact]
    public void Namespace_selector_and_exclusions_limit_the_scope()
    {
        var selected = TestEvaluation.Evaluate(LatestPolicy + "\nmatch: {namespaceSelector: {matchLabels: {env: prod}}}", TwoNamespaces);
        Assert.Equal(["a"], selected.Resources.Select(r => r.Resource.Name).ToArray());

        var byName = TestEvaluation.Evaluate(LatestPolicy + "\nmatch: {namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [kube-system]}]}}", TwoNamespaces);
        Assert.Equal(["k"], byName.Resources.Select(r => r.Resource.Name).ToArray());

        var excluded = TestEvaluation.Evaluate(LatestPolicy + "\nmatch: {excludeNamespaces: [kube-system, dev]}", TwoNamespaces);
        Assert.Equal(["a"], excluded.Resources.Select(r => r.Resource.Name).ToArray());
    }

    [Fact]
    public void An_image_exemption_exempts_only_matching_containers_and_listed_rules()
    {
        var evaluation = TestEvaluation.Evaluate(LatestPolicy + """

            exemptions:
            - name: legacy-etl
              namespaces: [prod-a]
              selector: {matchLabels: {app: old-etl}}
              images: ["vendor.example.com/etl:*"]
              rules: ["image.*"]
              reason: vendor image
              expires: "2027-03-31T00:00:00Z"
            """, TwoNamespaces);
        var findings = evaluation.FindingsOf("Pod", "a");
        Assert.Equal([FindingResult.Fail, FindingResult.Exempt], findings.Select(f => f.Result).ToArray());
        Assert.Equal("legacy-etl", findings[1].Exemption);
        Assert.Equal(FindingResult.Fail, evaluation.Resources.Single(r => r.Resource.Name == "a").Verdict);
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Pod", "d", "image.tag-not-latest"));
    }

    [Fact]
    public void A_fully_exempt_workload_counts_as_exempt_and_other_rules_or_namespaces_are_not_covered()
    {
        var evaluation = TestEvaluation.Evaluate(LatestPolicy + """

            exemptions:
            - {name: prod-latest, namespaces: [prod-a], rules: [image.tag-not-latest], reason: r}
            - {name: wrong-rule, namespaces: [dev], rules: ["pss.*"], reason: r}
            """, TwoNamespaces);
        Assert.Equal(FindingResult.Exempt, evaluation.Resources.Single(r => r.Resource.Name == "a").Verdict);
        Assert.Equal(FindingResult.Fail, evaluation.Resources.Single(r => r.Resource.Name == "d").Verdict);
        Assert.Equal(1, evaluation.Summary.Exempt);
        Assert.Equal(2, evaluation.Summary.Violating);
    }

    [Fact]
    public void An_expired_exemption_no_longer_applies_and_is_reported()
    {
        var evaluation = TestEvaluation.Evaluate(LatestPolicy + """

            exemptions:
            - {name: old, namespaces: [dev], rules: ["image.*"], reason: r, expires: "2026-01-01T00:00:00Z"}
            """, TwoNamespaces);
        var finding = Assert.Single(evaluation.FindingsOf("Pod", "d"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("exemption 'old' expired 2026-01-01", finding.Message);
        Assert.Equal("old", Assert.Single(evaluation.ExpiredExemptions).Name);
    }

    [Fact]
    public void Summary_counts_verdicts()
    {
        var evaluation = TestEvaluation.Evaluate("imageScanning: {disallowLatestTag: true}", """
            apiVersion: v1
            kind: Pod
            metadata: {name: ok}
            spec: {containers: [{name: app, image: "nginx:1"}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: bad}
            spec: {containers: [{name: app, image: "nginx"}]}
            """);
        Assert.Equal(new ComplianceSummary { Resources = 2, Compliant = 1, Violating = 1 }, evaluation.Summary);
    }
}
