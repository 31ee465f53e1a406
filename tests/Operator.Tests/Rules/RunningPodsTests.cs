namespace EksHardening.Operator.Tests.Rules;

/// <summary>Running pods are judged on their own spec and reported on their top owner, which is found by uid.</summary>
public class RunningPodsTests
{
    private const string Baseline = "podSecurity: {level: baseline}";

    private const string Owners = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, uid: d-1}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web-7d9f, namespace: shop, uid: rs-1, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]}
        spec:
          selector: {matchLabels: {app: web, pod-template-hash: 7d9f}}
          template:
            metadata: {labels: {app: web, pod-template-hash: 7d9f}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        """;

    private const string OwnedByReplicaSet = "ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, uid: rs-1, controller: true}]";

    private static string Pod(string name, string spec, string owner = OwnedByReplicaSet) => $"""

        ---
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: {name}, namespace: shop, labels: {"{"}app: web, pod-template-hash: 7d9f{"}"}, {owner}{"}"}
        spec: {spec}

        """;

    private const string SameAsTemplate = """{containers: [{name: web, image: "nginx:1.27"}]}""";

    public static TheoryData<string, string, string, string> PodsThatDifferFromTheirTemplate => new()
    {
        {
            "kubectl debug: a privileged ephemeral container",
            """{containers: [{name: web, image: "nginx:1.27"}], ephemeralContainers: [{name: debugger, image: "busybox:1.36", securityContext: {privileged: true}}]}""",
            "pss.privileged",
            "pod web-7d9f-abc: ephemeral container debugger: securityContext.privileged is true"
        },
        {
            "a mesh's injected init container adding NET_ADMIN",
            """{initContainers: [{name: istio-init, image: "istio/proxyv2:1.24", securityContext: {capabilities: {add: [NET_ADMIN, NET_RAW]}}}], containers: [{name: web, image: "nginx:1.27"}]}""",
            "pss.capabilities",
            "pod web-7d9f-abc: init container istio-init: securityContext.capabilities.add includes NET_ADMIN, which is outside the default set"
        },
        {
            "a monitoring agent sidecar sharing the host's process namespace",
            """{hostPID: true, containers: [{name: web, image: "nginx:1.27"}, {name: agent, image: "datadog/agent:7"}]}""",
            "pss.hostNamespaces",
            "pod web-7d9f-abc: pod: hostPID is true"
        },
    };

    [Theory]
    [MemberData(nameof(PodsThatDifferFromTheirTemplate))]
    public void A_pod_that_differs_from_its_template_fails_its_owner_and_is_named(string _, string podSpec, string rule, string message)
    {
        var evaluation = TestEvaluation.Evaluate(Baseline, Owners + Pod("web-7d9f-abc", podSpec));

        var resource = Assert.Single(evaluation.Resources);
        Assert.Equal("Deployment shop/web", resource.Resource.ToString());
        Assert.Equal(FindingResult.Fail, resource.Verdict);
        var findings = resource.Findings.Of(rule);
        Assert.Contains(findings, f => f.Message == message);
        Assert.All(findings, f => Assert.Equal(FindingResult.Fail, f.Result));
        Assert.All(findings, f => Assert.StartsWith("Pod web-7d9f-abc spec.", f.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void A_pod_like_its_template_adds_nothing()
    {
        var evaluation = TestEvaluation.Evaluate(Baseline, Owners + Pod("web-7d9f-abc", SameAsTemplate));
        var resource = Assert.Single(evaluation.Resources);
        Assert.Equal(FindingResult.Pass, resource.Verdict);
        Assert.DoesNotContain(resource.Findings, f => f.Message.StartsWith("pod ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failure_the_template_already_has_is_reported_once_without_the_pod()
    {
        const string privileged = """{containers: [{name: web, image: "nginx:1.27", securityContext: {privileged: true}}]}""";
        var owners = Owners.Replace("""spec: {containers: [{name: web, image: "nginx:1.27"}]}""", "spec: " + privileged, StringComparison.Ordinal);
        var evaluation = TestEvaluation.Evaluate(Baseline, owners + Pod("web-7d9f-abc", privileged) + Pod("web-7d9f-def", privileged));

        var finding = Assert.Single(evaluation.FindingsOf("Deployment", "web").Of("pss.privileged"));
        Assert.Equal("container web: securityContext.privileged is true", finding.Message);
        Assert.Equal("spec.template.spec.containers[0].securityContext.privileged", finding.Path);
    }

    [Fact]
    public void Containers_are_compared_by_name_so_an_injected_init_container_shifting_the_list_changes_nothing()
    {
        const string templateSpec = """{initContainers: [{name: setup, image: "busybox:1.36", securityContext: {privileged: true}}], containers: [{name: web, image: "nginx:1.27"}]}""";
        const string podSpec = """{initContainers: [{name: vault-agent-init, image: "hashicorp/vault:1.18"}, {name: setup, image: "busybox:1.36", securityContext: {privileged: true}}], containers: [{name: web, image: "nginx:1.27"}]}""";
        var owners = Owners.Replace("""spec: {containers: [{name: web, image: "nginx:1.27"}]}""", "spec: " + templateSpec, StringComparison.Ordinal);
        var evaluation = TestEvaluation.Evaluate(Baseline, owners + Pod("web-7d9f-abc", podSpec));

        var finding = Assert.Single(evaluation.FindingsOf("Deployment", "web").Of("pss.privileged"));
        Assert.Equal("init container setup: securityContext.privileged is true", finding.Message);
    }

    [Fact]
    public void Replicas_with_the_same_difference_are_reported_once_on_the_first_by_name_and_only_differing_pods_are_named()
    {
        const string debug = """{containers: [{name: web, image: "nginx:1.27"}], ephemeralContainers: [{name: debugger, image: "busybox:1.36", securityContext: {privileged: true}}]}""";
        var evaluation = TestEvaluation.Evaluate(Baseline,
            Owners + Pod("web-7d9f-zzz", debug) + Pod("web-7d9f-mmm", SameAsTemplate) + Pod("web-7d9f-bbb", debug));

        var finding = Assert.Single(evaluation.FindingsOf("Deployment", "web").Of("pss.privileged"));
        Assert.StartsWith("pod web-7d9f-bbb: ", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pod_error_is_added_where_its_template_passes_the_worst_result_wins()
    {
        const string policy = "irsa: {disallowSharedRoles: true}";
        const string account = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: app, namespace: shop, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/web"}}
            ---

            """;
        var owners = Owners.Replace("spec: {containers:", "spec: {serviceAccountName: app, containers:", StringComparison.Ordinal);
        var evaluation = TestEvaluation.Evaluate(policy,
            account + owners + Pod("web-7d9f-abc", """{serviceAccountName: ghost, containers: [{name: web, image: "nginx:1.27"}]}"""));

        var resource = Assert.Single(evaluation.Resources, r => r.Resource.Kind == "Deployment");
        var finding = Assert.Single(resource.Findings.Of("irsa.role-not-shared"));
        Assert.Equal(FindingResult.Error, finding.Result);
        Assert.StartsWith("pod web-7d9f-abc: ServiceAccount shop/ghost is not among the inputs", finding.Message, StringComparison.Ordinal);
        Assert.Equal(FindingResult.Error, resource.Verdict);
    }

    // ---------------------------------------------------------------- ownership by uid

    private const string PrivilegedHostPid = """{hostPID: true, containers: [{name: miner, image: "xmrig/xmrig:6", securityContext: {privileged: true}}]}""";

    public static TheoryData<string, string, string[]> Ownerships => new()
    {
        // A privileged hostPID pod naming the compliant Deployment with a uid that matches nothing is reported on its own.
        { "owner with a wrong uid", "ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: not-d-1, controller: true}]", ["Deployment web: pass", "Pod spoof: fail"] },
        { "owner reference without uid while the owner has one", "ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]", ["Deployment web: pass", "Pod spoof: fail"] },
        { "owner of another kind with that name", "ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web, uid: d-1, controller: true}]", ["Deployment web: pass", "Pod spoof: fail"] },
        { "owner in another namespace", "ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: other, uid: o-1, controller: true}]", ["Deployment web: pass", "Pod spoof: fail"] },
        { "the real owner, by uid", "ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]", ["Deployment web: fail"] },
        { "a wrong controller reference before the real one", "ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, uid: nope, controller: true}, {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, uid: rs-1}]", ["Deployment web: fail"] },
    };

    [Theory]
    [MemberData(nameof(Ownerships))]
    public void Owner_references_resolve_only_when_the_uid_matches(string _, string owner, string[] expected)
    {
        const string other = "\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other, namespace: elsewhere, uid: o-1}\nspec: {template: {spec: {containers: [{name: a, image: \"nginx:1.27\"}]}}}\n";
        var evaluation = TestEvaluation.Evaluate(Baseline + "\nmatch: {excludeNamespaces: [elsewhere]}",
            Owners + other + Pod("spoof", PrivilegedHostPid, owner));
        Assert.Equal(expected, evaluation.Resources.Select(r => $"{r.Resource.Kind} {r.Resource.Name}: {r.Verdict.ToString().ToLowerInvariant()}").ToArray());
    }

    [Fact]
    public void Manifests_without_uids_match_owners_by_kind_and_name()
    {
        var owners = Owners.Replace(", uid: d-1", "", StringComparison.Ordinal).Replace(", uid: rs-1", "", StringComparison.Ordinal);
        var evaluation = TestEvaluation.Evaluate(Baseline,
            owners + Pod("web-7d9f-abc", PrivilegedHostPid, "ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, controller: true}]"));
        var resource = Assert.Single(evaluation.Resources);
        Assert.Equal(("Deployment", FindingResult.Fail), (resource.Resource.Kind, resource.Verdict));
    }

    [Theory]
    [InlineData("match: {kinds: [Deployment]}", "Deployment web: fail")]
    [InlineData("match: {kinds: [ReplicaSet, Pod]}", "ReplicaSet web-7d9f: fail")]
    [InlineData("match: {kinds: [Pod]}", "Pod web-7d9f-abc: fail")]
    [InlineData("match: {kinds: [StatefulSet]}", "")]
    public void A_pod_is_reported_on_its_highest_owner_in_scope_even_when_Pod_is_not_a_listed_kind(string match, string expected)
    {
        var evaluation = TestEvaluation.Evaluate(Baseline + "\n" + match, Owners + Pod("web-7d9f-abc", PrivilegedHostPid));
        Assert.Equal(expected, string.Join("; ", evaluation.Resources.Select(r => $"{r.Resource.Kind} {r.Resource.Name}: {r.Verdict.ToString().ToLowerInvariant()}")));
    }

    [Fact]
    public void Pods_of_a_CronJob_are_reported_on_the_CronJob_through_their_Job()
    {
        const string cron = """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: shop, uid: cj-1}
            spec: {schedule: "@daily", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: etl, image: "etl:1"}]}}}}}
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: nightly-29000000, namespace: shop, uid: j-1, ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: nightly, uid: cj-1, controller: true}]}
            spec: {template: {spec: {restartPolicy: Never, containers: [{name: etl, image: "etl:1"}]}}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: nightly-29000000-x1, namespace: shop, ownerReferences: [{apiVersion: batch/v1, kind: Job, name: nightly-29000000, uid: j-1, controller: true}]}
            spec: {restartPolicy: Never, hostPID: true, containers: [{name: etl, image: "etl:1"}]}
            """;
        var evaluation = TestEvaluation.Evaluate(Baseline, cron);
        var resource = Assert.Single(evaluation.Resources);
        Assert.Equal("CronJob shop/nightly", resource.Resource.ToString());
        Assert.Equal("pod nightly-29000000-x1: pod: hostPID is true", Assert.Single(resource.Findings.Of("pss.hostNamespaces")).Message);
    }

    // ---------------------------------------------------------------- fields compared across template and pod

    [Theory]
    [InlineData("spec.template.spec.containers[1].securityContext.privileged", "spec.containers{agent}.securityContext.privileged")]
    [InlineData("spec.template.spec.initContainers[0].image", "spec.initContainers{setup}.image")]
    [InlineData("spec.template.spec.volumes[0].hostPath", "spec.volumes{logs}.hostPath")]
    [InlineData("spec.template.spec.hostPID", "spec.hostPID")]
    [InlineData("spec.template.metadata.labels", "metadata.labels")]
    [InlineData("spec.template.spec.containers[7].image", "spec.containers[7].image")]
    [InlineData("NetworkPolicy shop/allow spec.egress[0]", "NetworkPolicy shop/allow spec.egress[0]")]
    public void Fields_name_containers_and_volumes_instead_of_indexing_them(string path, string field)
    {
        var deployment = (k8s.Models.V1Deployment)TestEvaluation.Objects("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              template:
                spec:
                  initContainers: [{name: setup, image: busybox}]
                  containers: [{name: web, image: nginx}, {name: agent, image: agent}]
                  volumes: [{name: logs, hostPath: {path: /var/log}}]
            """).Single();
        var view = Operator.Rules.WorkloadView.TryCreate(deployment)!;
        Assert.Equal(field, Operator.Rules.OwnerFindings.FieldOf(view, path));

        var podPath = path.Replace("spec.template.spec", "spec", StringComparison.Ordinal).Replace("spec.template.metadata", "metadata", StringComparison.Ordinal);
        var pod = new k8s.Models.V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new() { Name = "p" }, Spec = deployment.Spec.Template.Spec };
        Assert.Equal(field, Operator.Rules.OwnerFindings.FieldOf(Operator.Rules.WorkloadView.TryCreate(pod)!, podPath));
    }
}
