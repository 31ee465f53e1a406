namespace EksHardening.Operator.Tests.Rules;

public class FindingsCacheTests
{
    private const string Policy = """
        networkPolicies: {requireDefaultDeny: [Ingress], requirePodCoverage: true}
        irsa: {requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}
        podSecurity: {level: restricted}
        exemptions:
        - {name: soon, namespaces: [shop], rules: [pss.runAsNonRoot], reason: r, expires: "2026-11-28T12:30:00Z"}
        """;

    private const string Objects = """
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: shop, labels: {app: a}}
        spec: {serviceAccountName: app, containers: [{name: c, image: "app:1"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: other}
        spec: {containers: [{name: c, image: "app:1"}]}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: app, namespace: shop}
        """;

    private static (ClusterSnapshot Snapshot, List<object> Objects) Snapshot(IEnumerable<object> objects)
    {
        var list = objects.ToList();
        return (ClusterSnapshot.FromObjects(list), list);
    }

    [Fact]
    public void A_second_evaluation_reuses_every_workload_and_gives_the_same_result()
    {
        var policy = TestEvaluation.Policy(Policy);
        var (snapshot, _) = Snapshot(TestEvaluation.Objects(Objects));
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        var first = evaluator.Evaluate(policy, snapshot, cache);
        var second = evaluator.Evaluate(policy, snapshot, cache);
        Assert.Equal(2, cache.Misses);
        Assert.Equal(2, cache.Hits);
        Assert.Equal(Describe(evaluator.Evaluate(policy, snapshot)), Describe(second));
        Assert.Equal(Describe(first), Describe(second));
    }

    [Fact]
    public void Changed_workloads_and_dependencies_are_recomputed_and_nothing_else()
    {
        var policy = TestEvaluation.Policy(Policy);
        var objects = TestEvaluation.Objects(Objects);
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);

        // A NetworkPolicy appears in shop: pod a depends on it, pod b (other namespace) does not.
        objects.Add(new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = "deny", NamespaceProperty = "shop" }, Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector() } });
        var withPolicy = ClusterSnapshot.FromObjects(objects);
        var evaluation = evaluator.Evaluate(policy, withPolicy, cache);
        Assert.Equal(3, cache.Misses);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(Describe(evaluator.Evaluate(policy, withPolicy)), Describe(evaluation));

        // A ServiceAccount replaced by a new instance (an update) invalidates its user only.
        var account = objects.OfType<V1ServiceAccount>().Single();
        objects[objects.IndexOf(account)] = new V1ServiceAccount { Metadata = account.Metadata, AutomountServiceAccountToken = false };
        var withAccount = ClusterSnapshot.FromObjects(objects);
        evaluation = evaluator.Evaluate(policy, withAccount, cache);
        Assert.Equal(4, cache.Misses);
        Assert.Equal(2, cache.Hits);
        Assert.Equal(Describe(evaluator.Evaluate(policy, withAccount)), Describe(evaluation));
    }

    [Fact]
    public void A_binding_change_recomputes_only_the_workloads_whose_service_account_it_can_grant_to()
    {
        var policy = TestEvaluation.Policy("rbac: {restrictWorkloadPrivileges: true}");
        var objects = TestEvaluation.Objects(Objects + "\n" + """
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: secret-reader}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: unrelated}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
            subjects: [{kind: User, name: alice}]
            """);
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((2L, 0L), (cache.Misses, cache.Hits));

        // A binding to someone else: every workload's grants are the same objects, so nothing is recomputed.
        objects.Add(Binding("alice-too", new Rbacv1Subject { Kind = "User", Name = "alice" }));
        evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((2L, 2L), (cache.Misses, cache.Hits));

        // A binding to shop's app account: pod a only (pod b runs as other/default).
        objects.Add(Binding("app-reads-secrets", new Rbacv1Subject { Kind = "ServiceAccount", Name = "app", NamespaceProperty = "shop" }));
        var granted = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((3L, 3L), (cache.Misses, cache.Hits));
        Assert.Equal(FindingResult.Fail, granted.ResultOf("Pod", "a", "rbac.workload-privileges"));

        // The role it grants changes: its grantee is recomputed, and the role no longer grants secrets.
        var role = objects.OfType<V1ClusterRole>().Single();
        objects[objects.IndexOf(role)] = new V1ClusterRole { Metadata = role.Metadata, Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get"] }] };
        var changed = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((4L, 4L), (cache.Misses, cache.Hits));
        Assert.Equal(FindingResult.Pass, changed.ResultOf("Pod", "a", "rbac.workload-privileges"));
        Assert.Equal(Describe(evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects))), Describe(changed));

        static V1ClusterRoleBinding Binding(string name, Rbacv1Subject subject) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "secret-reader" },
            Subjects = [subject],
        };
    }

    [Fact]
    public void An_infrastructure_change_recomputes_only_the_workloads_whose_claims_or_classes_it_touches()
    {
        var policy = TestEvaluation.Policy("encryption: {requireEncryptedVolumes: true, requireTlsIngress: true}");
        var objects = TestEvaluation.Objects("""
            apiVersion: v1
            kind: Pod
            metadata: {name: db, namespace: shop}
            spec: {containers: [{name: c, image: "db:1"}], volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: cache, namespace: shop}
            spec: {containers: [{name: c, image: "cache:1"}], volumes: [{name: scratch, ephemeral: {volumeClaimTemplate: {spec: {storageClassName: fast}}}}]}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: shop}
            spec: {storageClassName: gp3}
            ---
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: gp3}
            provisioner: ebs.csi.aws.com
            parameters: {encrypted: "true"}
            ---
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: fast}
            provisioner: ebs.csi.aws.com
            parameters: {encrypted: "true"}
            """);
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((2L, 0L), (cache.Misses, cache.Hits));

        // An Ingress rebuilds the index but is read by no workload.
        objects.Add(new V1Ingress { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" }, Spec = new V1IngressSpec() });
        evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((2L, 2L), (cache.Misses, cache.Hits));

        // The class of db's claim loses its encryption: db only is recomputed, and fails.
        var gp3 = objects.OfType<V1StorageClass>().Single(c => c.Metadata.Name == "gp3");
        objects[objects.IndexOf(gp3)] = new V1StorageClass { Metadata = gp3.Metadata, Provisioner = gp3.Provisioner, Parameters = new Dictionary<string, string>() };
        var changed = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((3L, 3L), (cache.Misses, cache.Hits));
        Assert.Equal(FindingResult.Fail, changed.ResultOf("Pod", "db", "encryption.volumes"));
        Assert.Equal(Describe(evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects))), Describe(changed));
    }

    [Fact]
    public void Unchanged_resources_are_handed_on_as_the_same_instances_and_changed_ones_anew()
    {
        var policy = TestEvaluation.Policy("""
            podSecurity: {level: baseline}
            networkPolicies: {requireDefaultDeny: [Ingress]}
            encryption: {requireTlsIngress: true}
            """);
        var objects = TestEvaluation.Objects("""
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: shop}
            spec: {containers: [{name: c, image: "app:1"}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web, namespace: shop}
            spec: {rules: [{host: shop.example.com}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: api, namespace: shop}
            spec: {tls: [{hosts: [api.example.com]}], rules: [{host: api.example.com}]}
            """);
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        var first = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);

        // Ingress web gains TLS (a new instance, as an informer update brings): only its evaluation is new.
        var web = objects.OfType<V1Ingress>().Single(i => i.Metadata.Name == "web");
        objects[objects.IndexOf(web)] = new V1Ingress { Metadata = web.Metadata, Spec = new V1IngressSpec { Tls = [new V1IngressTLS { Hosts = ["shop.example.com"] }] } };
        var second = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);

        Assert.Equal(first.Resources.Select(r => r.Resource), second.Resources.Select(r => r.Resource));
        var renewed = first.Resources.Zip(second.Resources).Where(pair => !ReferenceEquals(pair.First, pair.Second)).Select(pair => pair.Second.Resource.ToString());
        Assert.Equal(["Ingress shop/web"], renewed);
        Assert.Equal(FindingResult.Fail, first.ResultOf("Ingress", "web", "encryption.ingress-tls"));
        Assert.Equal(FindingResult.Pass, second.ResultOf("Ingress", "web", "encryption.ingress-tls"));
        Assert.Equal(Describe(evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects))), Describe(second));
    }

    [Fact]
    public void Exemptions_are_applied_after_the_cache_so_expiry_takes_effect()
    {
        var policy = TestEvaluation.Policy(Policy);
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Objects));
        var cache = new FindingsCache();
        var before = new PolicyEvaluator(new FixedClock(TestEvaluation.Now)).Evaluate(policy, snapshot, cache);
        var after = new PolicyEvaluator(new FixedClock(TestEvaluation.Now.AddHours(1))).Evaluate(policy, snapshot, cache);
        Assert.Equal(2, cache.Hits);
        Assert.Contains(before.FindingsOf("Pod", "a"), f => f.Rule.Id == "pss.runAsNonRoot" && f.Result == Entities.FindingResult.Exempt);
        Assert.Contains(after.FindingsOf("Pod", "a"), f => f.Rule.Id == "pss.runAsNonRoot" && f.Result == Entities.FindingResult.Fail);
    }

    [Fact]
    public void A_new_spec_drops_the_cache()
    {
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Objects));
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        evaluator.Evaluate(TestEvaluation.Policy(Policy), snapshot, cache);
        var changed = TestEvaluation.Policy(Policy.Replace("requireDefaultDeny: [Ingress]", "requireDefaultDeny: [Ingress, Egress]", StringComparison.Ordinal));
        changed.Metadata.Generation = 2;   // the API server bumps the generation on a spec change
        var stricter = evaluator.Evaluate(changed, snapshot, cache);
        Assert.Equal(0, cache.Hits);
        Assert.Equal(Describe(evaluator.Evaluate(TestEvaluation.Policy(Policy.Replace("[Ingress]", "[Ingress, Egress]", StringComparison.Ordinal)), snapshot)), Describe(stricter));
    }

    /// <summary>A Deployment, its ReplicaSet and <paramref name="replicas"/> pods as the informers cache them (trimmed, values shared).</summary>
    private static List<object> CachedReplicas(int replicas, Operator.Kubernetes.CacheTrimming trimming)
    {
        var yaml = new System.Text.StringBuilder("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, uid: d-1}
            spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.27"}]}}}
            ---
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: web-7d9f, namespace: shop, uid: rs-1, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]}
            spec: {template: {metadata: {labels: {app: web, pod-template-hash: 7d9f}}, spec: {containers: [{name: web, image: "nginx:1.27"}]}}}
            """);
        for (var i = 0; i < replicas; i++)
        {
            // Each replica has its own node, token volume and uid, as real replicas do; none of it is a rule input.
            yaml.Append($$$"""

                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-7d9f-{{{i:d3}}}, namespace: shop, uid: p-{{{i}}}, labels: {app: web, pod-template-hash: 7d9f}, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, uid: rs-1, controller: true}]}
                spec: {nodeName: node-{{{i}}}, containers: [{name: web, image: "nginx:1.27"}], volumes: [{name: kube-api-access-{{{i}}}, projected: {sources: []}}]}
                """);
        }

        return [.. TestEvaluation.Objects(yaml.ToString()).Select(o => o switch
        {
            V1Pod pod => (object)trimming.Trim(pod),
            V1Deployment deployment => trimming.Trim(deployment),
            V1ReplicaSet replicaSet => trimming.Trim(replicaSet),
            _ => o,
        })];
    }

    [Fact]
    public void Replicas_identical_to_each_other_are_evaluated_once()
    {
        var policy = TestEvaluation.Policy("podSecurity: {level: restricted}");
        var trimming = new Operator.Kubernetes.CacheTrimming();
        var objects = CachedReplicas(50, trimming);
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));

        var first = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((2L, 49L), (cache.Misses, cache.Hits));   // the template and one pod; 49 pods shared the pod's entry
        Assert.Equal(2, cache.Count);
        Assert.Equal(Describe(evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects))), Describe(first));

        // A debugging session on one replica: that pod alone is evaluated again, and named.
        var debugged = (V1Pod)objects.OfType<V1Pod>().Last();
        var copy = k8s.KubernetesJson.Deserialize<V1Pod>(k8s.KubernetesJson.Serialize(debugged));
        copy.Spec.EphemeralContainers = [new V1EphemeralContainer { Name = "debugger", Image = "busybox:1.36", SecurityContext = new V1SecurityContext { Privileged = true } }];
        objects[objects.IndexOf(debugged)] = trimming.Trim(copy);
        var second = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((3L, 49L + 50L), (cache.Misses, cache.Hits));
        Assert.Contains(second.FindingsOf("Deployment", "web"), f => f.Message.StartsWith("pod web-7d9f-049: ephemeral container debugger", StringComparison.Ordinal));
        Assert.Equal(3, cache.Count);
        Assert.Equal(0, first.Resources.Count - 1);   // one resource, the Deployment

        // Unchanged inputs: the merge is not redone, its remembered result comes back.
        Assert.Equal(1, cache.MergedCount);
        var third = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Same(second.Resources.Single().Findings, third.Resources.Single().Findings);

        // The debugged pod is gone again: its entries are dropped. The replicas repeat their failing template's failures,
        // so the template's list stands; the merge that found so is remembered, and not made again while nothing changes.
        objects.Remove(objects[^1]);
        var fourth = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);
        Assert.Equal((2, 1), (cache.Count, cache.MergedCount));
        Assert.Equal(Describe(first), Describe(fourth));
        Assert.Same(fourth.Resources.Single().Findings, evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache).Resources.Single().Findings);
    }

    [Fact]
    public void Replicas_of_a_compliant_template_remember_no_merge()
    {
        var policy = TestEvaluation.Policy("podSecurity: {level: baseline}");
        var objects = CachedReplicas(5, new Operator.Kubernetes.CacheTrimming());
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));

        var evaluation = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(objects), cache);

        Assert.All(evaluation.Resources.Single().Findings, f => Assert.Equal(FindingResult.Pass, f.Result));
        Assert.Equal(0, cache.MergedCount);
    }

    private static string Describe(PolicyEvaluation evaluation) =>
        string.Join("\n", evaluation.Resources.SelectMany(r => r.Findings.Select(f => $"{r.Resource} {f.Rule.Id} {f.Result} {f.Message}")));
}
