namespace EksHardening.Operator.Tests.Rules;

/// <summary>NetworkPolicy selectors see the labels controllers add to pods; a value only known at run time decides nothing but presence.</summary>
public class ControllerLabelsTests
{
    private const string PodIsolatedId = "network.pod-isolated";
    private const string ImdsId = "network.imds-blocked";
    private const string Both = "networkPolicies: {requireDefaultDeny: [Egress], requirePodCoverage: true, blockInstanceMetadata: true}";

    private const string Template = "{metadata: {labels: {app: x}}, spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}}";

    private static readonly Dictionary<string, string> Workloads = new()
    {
        ["Deployment"] = $"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec: {{template: {Template}}}\n",
        ["StatefulSet"] = $"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db, namespace: shop}}\nspec: {{serviceName: db, template: {Template}}}\n",
        ["DaemonSet"] = $"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: agent, namespace: shop}}\nspec: {{template: {Template}}}\n",
        ["ReplicaSet"] = $"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: bare-rs, namespace: shop}}\nspec: {{template: {Template}}}\n",
        ["Job"] = $"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: migrate, namespace: shop}}\nspec: {{template: {Template}}}\n",
        ["Job manualSelector"] = $"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: migrate, namespace: shop}}\nspec: {{manualSelector: true, selector: {{matchLabels: {{app: x}}}}, template: {Template}}}\n",
        ["Job Indexed"] = $"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: migrate, namespace: shop}}\nspec: {{completionMode: Indexed, completions: 3, template: {Template}}}\n",
        ["CronJob"] = $"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: nightly, namespace: shop}}\nspec: {{schedule: '@daily', jobTemplate: {{spec: {{template: {Template}}}}}}}\n",
        ["Pod"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: shop, labels: {app: x}}\nspec: {containers: [{name: a, image: busybox}]}\n",
        ["ReplicationController"] = $"apiVersion: v1\nkind: ReplicationController\nmetadata: {{name: legacy, namespace: shop}}\nspec: {{template: {Template}}}\n",
    };

    /// <summary>A policy isolating egress for the pods its selector picks.</summary>
    private static string Isolating(string selector) =>
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: isolate, namespace: shop}}\nspec: {{podSelector: {selector}, policyTypes: [Ingress, Egress]}}\n";

    private static string Expression(string key, string op, string? values = null) =>
        $"{{matchExpressions: [{{key: {key}, operator: {op}{(values is null ? "" : $", values: [{values}]")}}}]}}";

    public static TheoryData<string, string, FindingResult, bool> Selections => new()
    {
        // The issue's case and its neighbours: no Deployment pod lacks pod-template-hash.
        { "Deployment", Expression("pod-template-hash", "DoesNotExist"), FindingResult.Fail, false },
        { "StatefulSet", Expression("pod-template-hash", "DoesNotExist"), FindingResult.Pass, false },
        { "ReplicaSet", Expression("pod-template-hash", "DoesNotExist"), FindingResult.Pass, false },
        { "Pod", Expression("pod-template-hash", "DoesNotExist"), FindingResult.Pass, false },
        { "Deployment", Expression("pod-template-hash", "Exists"), FindingResult.Pass, false },
        { "Job", Expression("pod-template-hash", "Exists"), FindingResult.Fail, false },
        // Value comparisons on a value only known at run time are undecidable: not counted as isolating.
        { "Deployment", "{matchLabels: {pod-template-hash: 7d9f}}", FindingResult.Fail, true },
        { "Deployment", Expression("pod-template-hash", "NotIn", "abc"), FindingResult.Fail, true },
        // Jobs: the API server adds job-name (the Job's name) and controller-uid, prefixed and legacy; false fails before.
        { "Job", Expression("batch.kubernetes.io/job-name", "In", "migrate"), FindingResult.Pass, false },
        { "Job", "{matchLabels: {job-name: migrate}}", FindingResult.Pass, false },
        { "Job", Expression("batch.kubernetes.io/controller-uid", "Exists"), FindingResult.Pass, false },
        { "Job", Expression("batch.kubernetes.io/job-name", "In", "other"), FindingResult.Fail, false },
        { "Job manualSelector", Expression("batch.kubernetes.io/job-name", "Exists"), FindingResult.Fail, false },
        { "Job Indexed", Expression("batch.kubernetes.io/job-completion-index", "Exists"), FindingResult.Pass, false },
        { "Job", Expression("batch.kubernetes.io/job-completion-index", "Exists"), FindingResult.Fail, false },
        { "CronJob", Expression("batch.kubernetes.io/job-name", "Exists"), FindingResult.Pass, false },
        { "CronJob", Expression("job-name", "In", "nightly"), FindingResult.Fail, true },
        // StatefulSets: pod name and index (false fails before), revision; the name's value is per pod.
        { "StatefulSet", Expression("statefulset.kubernetes.io/pod-name", "Exists"), FindingResult.Pass, false },
        { "StatefulSet", Expression("apps.kubernetes.io/pod-index", "Exists"), FindingResult.Pass, false },
        { "StatefulSet", Expression("statefulset.kubernetes.io/pod-name", "In", "db-0"), FindingResult.Fail, true },
        { "Deployment", Expression("statefulset.kubernetes.io/pod-name", "Exists"), FindingResult.Fail, false },
        // DaemonSets: controller revision and template generation.
        { "DaemonSet", Expression("controller-revision-hash", "Exists"), FindingResult.Pass, false },
        { "DaemonSet", Expression("pod-template-generation", "Exists"), FindingResult.Pass, false },
        { "Deployment", Expression("controller-revision-hash", "Exists"), FindingResult.Fail, false },
        // ReplicationControllers add nothing.
        { "ReplicationController", Expression("pod-template-hash", "DoesNotExist"), FindingResult.Pass, false },
        { "ReplicationController", Expression("app", "In", "x"), FindingResult.Pass, false },
    };

    [Theory]
    [MemberData(nameof(Selections))]
    public void Selectors_are_matched_against_the_labels_pods_carry(string workload, string selector, FindingResult expected, bool restsOnRunTime)
    {
        var evaluation = TestEvaluation.Evaluate(Both, "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" + Workloads[workload] + "---\n" + Isolating(selector));
        var resource = Assert.Single(evaluation.Resources, r => r.Resource.Kind != "Namespace");
        foreach (var rule in new[] { PodIsolatedId, ImdsId })
        {
            var finding = Assert.Single(resource.Findings.Of(rule));
            Assert.Equal(expected, finding.Result);
            Assert.Equal(restsOnRunTime, finding.Message.Contains("only known at run time", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_template_label_the_controller_sets_is_overridden_and_one_the_api_server_keeps_is_not()
    {
        var deployment = Workloads["Deployment"].Replace("labels: {app: x}", "labels: {app: x, pod-template-hash: 7d9f}", StringComparison.Ordinal);
        var job = Workloads["Job"].Replace("labels: {app: x}", "labels: {app: x, job-name: custom}", StringComparison.Ordinal);
        var viewOfDeployment = WorkloadView.TryCreate((k8s.IKubernetesObject<V1ObjectMeta>)TestEvaluation.Objects(deployment).Single())!;
        var viewOfJob = WorkloadView.TryCreate((k8s.IKubernetesObject<V1ObjectMeta>)TestEvaluation.Objects(job).Single())!;

        Assert.Equal(LabelSelectors.ValueSetAtRunTime, viewOfDeployment.SelectorLabels()!["pod-template-hash"]);
        Assert.Equal("custom", viewOfJob.SelectorLabels()!["job-name"]);
        Assert.Equal("migrate", viewOfJob.SelectorLabels()!["batch.kubernetes.io/job-name"]);
        Assert.Equal("7d9f", viewOfDeployment.PodLabels!["pod-template-hash"]);
    }

    [Theory]
    [InlineData("{app: x, pod-template-hash: 7d9f}")]
    [InlineData("{app: x, a: '1', b: '2', c: '3', d: '4', e: '5', f: '6', g: '7', pod-template-hash: 7d9f}")]
    public void Few_labels_and_many_are_merged_alike(string labels)
    {
        var deployment = Workloads["Deployment"].Replace("labels: {app: x}", $"labels: {labels}", StringComparison.Ordinal);
        var view = WorkloadView.TryCreate((k8s.IKubernetesObject<V1ObjectMeta>)TestEvaluation.Objects(deployment).Single())!;

        var merged = view.SelectorLabels()!;

        var expected = new Dictionary<string, string>(view.PodLabels!) { ["pod-template-hash"] = LabelSelectors.ValueSetAtRunTime };
        Assert.Equal(expected.OrderBy(l => l.Key, StringComparer.Ordinal), merged.OrderBy(l => l.Key, StringComparer.Ordinal));
    }

    // ---------------------------------------------------------------- IMDS: an undecidable policy still counts when it admits

    private const string DenyEgress = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Egress]}\n";

    private static string Internet(string selector) =>
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: internet, namespace: shop}}\nspec: {{podSelector: {selector}, policyTypes: [Egress], egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0}}}}]}}]}}\n";

    [Theory]
    [InlineData("Deployment", "{matchExpressions: [{key: pod-template-hash, operator: NotIn, values: [abc]}]}", FindingResult.Fail, true)]
    [InlineData("StatefulSet", "{matchExpressions: [{key: pod-template-hash, operator: NotIn, values: [abc]}]}", FindingResult.Fail, false)]
    [InlineData("Deployment", "{matchExpressions: [{key: pod-template-hash, operator: DoesNotExist}]}", FindingResult.Pass, false)]
    public void A_policy_whose_selection_is_undecidable_counts_when_it_would_admit_the_metadata_service(string workload, string selector, FindingResult expected, bool conditional)
    {
        var evaluation = TestEvaluation.Evaluate("networkPolicies: {blockInstanceMetadata: true}", Workloads[workload] + "---\n" + DenyEgress + "---\n" + Internet(selector));
        var finding = Assert.Single(evaluation.Resources.Single().Findings.Of(ImdsId));
        Assert.Equal(expected, finding.Result);
        Assert.Equal(conditional, finding.Message.Contains("if it selects them, which is only known at run time: its podSelector compares pod-template-hash", StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- running pods decide what their template could not

    private const string Owned = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, uid: d-1}
        spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: busybox}]}}}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web-7d9f, namespace: shop, uid: rs-1, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]}
        spec: {template: {metadata: {labels: {app: web, pod-template-hash: 7d9f}}, spec: {containers: [{name: a, image: busybox}]}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: current, namespace: shop}
        spec: {podSelector: {matchLabels: {pod-template-hash: 7d9f}}, policyTypes: [Ingress]}
        """;

    private static string RunningPod(string name, string hash) => $"""

        ---
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: {name}, namespace: shop, labels: {"{"}app: web, pod-template-hash: {hash}{"}"}, ownerReferences: [{"{"}apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, uid: rs-1, controller: true{"}"}]{"}"}
        spec: {"{"}containers: [{"{"}name: a, image: busybox{"}"}]{"}"}
        """;

    [Fact]
    public void Without_pods_a_selection_on_a_run_time_value_fails_and_says_so()
    {
        var finding = Assert.Single(TestEvaluation.Evaluate("networkPolicies: {requirePodCoverage: true}", Owned).FindingsOf("Deployment", "web").Of(PodIsolatedId));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("NetworkPolicy shop/current compares pod-template-hash: a label whose value is only known at run time", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Running_pods_whose_labels_the_policy_selects_decide_the_template_verdict()
    {
        var finding = Assert.Single(TestEvaluation.Evaluate("networkPolicies: {requirePodCoverage: true}", Owned + RunningPod("web-7d9f-abc", "7d9f"))
            .FindingsOf("Deployment", "web").Of(PodIsolatedId));
        Assert.Equal(FindingResult.Pass, finding.Result);
    }

    [Fact]
    public void A_running_pod_the_policy_does_not_select_fails_its_owner_and_is_named()
    {
        var evaluation = TestEvaluation.Evaluate("networkPolicies: {requirePodCoverage: true}",
            Owned + RunningPod("web-7d9f-abc", "7d9f") + RunningPod("web-old-xyz", "0ld"));
        var finding = Assert.Single(evaluation.FindingsOf("Deployment", "web").Of(PodIsolatedId));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.StartsWith("pod web-old-xyz: pods of Deployment shop/web (labels app=web,pod-template-hash=0ld)", finding.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- three-valued selector semantics

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web",
        ["pod-template-hash"] = LabelSelectors.ValueSetAtRunTime,
    };

    [Theory]
    [InlineData("pod-template-hash", "Exists", null, SelectorMatch.Yes)]
    [InlineData("pod-template-hash", "DoesNotExist", null, SelectorMatch.No)]
    [InlineData("pod-template-hash", "In", "abc", SelectorMatch.Unknown)]
    [InlineData("pod-template-hash", "NotIn", "abc", SelectorMatch.Unknown)]
    [InlineData("app", "In", "web", SelectorMatch.Yes)]
    [InlineData("app", "NotIn", "web", SelectorMatch.No)]
    [InlineData("missing", "In", "x", SelectorMatch.No)]
    [InlineData("missing", "NotIn", "x", SelectorMatch.Yes)]
    public void A_requirement_on_a_run_time_value_decides_presence_only(string key, string op, string? value, SelectorMatch expected)
    {
        var selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = value is null ? null : [value] }] };
        Assert.Equal(expected, LabelSelectors.Decide(selector, Labels));
    }

    [Theory]
    [InlineData("{app: api}", "pod-template-hash", "In", SelectorMatch.No)]
    [InlineData("{app: web}", "pod-template-hash", "In", SelectorMatch.Unknown)]
    [InlineData("{pod-template-hash: abc}", "app", "DoesNotExist", SelectorMatch.No)]
    [InlineData("{pod-template-hash: abc}", "app", "Exists", SelectorMatch.Unknown)]
    public void A_certain_mismatch_outweighs_an_unknown_and_an_unknown_outweighs_a_match(string matchLabels, string key, string op, SelectorMatch expected)
    {
        var selector = new V1LabelSelector
        {
            MatchLabels = k8s.KubernetesYaml.Deserialize<Dictionary<string, string>>(matchLabels),
            MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = op is "In" or "NotIn" ? ["abc"] : null }],
        };
        Assert.Equal(expected, LabelSelectors.Decide(selector, Labels));
        Assert.Equal(["pod-template-hash"], LabelSelectors.KeysSetAtRunTime(selector, Labels));
    }
}
