namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// Until the operator has listed a duty's objects they are unknown, not absent: each enabled rule of the duty reports
/// an error on a stand-in for all objects of the kind (named "*"), and workloads whose verdict reads them report errors
/// too; nothing passes. Objects of the kind that happen to be in the snapshot are not judged as if complete.
/// </summary>
public class UnlistedObjectsTests
{
    private const string Workloads = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: db, namespace: shop}
        spec:
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: postgres:16}]
              volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: nginx:1.27}]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: ci-admin}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects: [{kind: ServiceAccount, name: ci, namespace: ci}]
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: n1, creationTimestamp: "2020-01-01T00:00:00Z"}
        status: {nodeInfo: {kubeletVersion: v1.20.0}}
        """;

    public static TheoryData<string, UnlistedObjects, string, string, string> Cases => new()
    {
        { "rbac: {disallowClusterAdminBindings: true, disallowWildcardRoles: true}", UnlistedObjects.Rbac, "ClusterRoleBinding", "*", "rbac.cluster-admin-bound" },
        { "rbac: {disallowClusterAdminBindings: true, disallowWildcardRoles: true}", UnlistedObjects.Rbac, "ClusterRoleBinding", "*", "rbac.wildcard-role" },
        { "rbac: {disallowSystemMastersMapping: true}", UnlistedObjects.Rbac, "ConfigMap", "aws-auth", "rbac.system-masters-mapping" },
        { "rbac: {restrictWorkloadPrivileges: true}", UnlistedObjects.Rbac, "Deployment", "web", "rbac.workload-privileges" },
        { "encryption: {requireEncryptedVolumes: true}", UnlistedObjects.Volumes, "StorageClass", "*", "encryption.volumes" },
        { "encryption: {requireEncryptedVolumes: true}", UnlistedObjects.Volumes, "Deployment", "db", "encryption.volumes" },
        { "encryption: {requireTlsIngress: true}", UnlistedObjects.Ingress, "Ingress", "*", "encryption.ingress-tls" },
        { "nodes: {maxKubeletSkew: 1, maxNodeAge: 720h}", UnlistedObjects.Nodes, "Node", "*", "node.kubelet-skew" },
        { "nodes: {maxKubeletSkew: 1, maxNodeAge: 720h}", UnlistedObjects.Nodes, "Node", "*", "node.max-age" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_rule_whose_objects_are_not_listed_yet_is_an_error_never_a_pass(string duty, UnlistedObjects unlisted, string kind, string name, string rule)
    {
        var evaluation = Evaluate(duty, unlisted);

        var finding = Assert.Single(evaluation.FindingsOf(kind, name).Of(rule));
        Assert.Equal(FindingResult.Error, finding.Result);
        Assert.Contains("have not been listed yet", finding.Message, StringComparison.Ordinal);
        // The objects of the kind in the snapshot are not judged: they may be a part of the cluster only.
        Assert.DoesNotContain(evaluation.AllFindings, f => f.Rule.Id == rule && f.Result is FindingResult.Pass or FindingResult.Fail);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Once_listed_the_objects_are_judged_and_no_stand_in_remains(string duty, UnlistedObjects unlisted, string kind, string name, string rule)
    {
        _ = (unlisted, kind, name);
        var evaluation = Evaluate(duty, UnlistedObjects.None);

        Assert.DoesNotContain(evaluation.Resources, r => r.Resource.Name == "*");
        Assert.DoesNotContain(evaluation.AllFindings, f => f.Rule.Id == rule && f.Message.Contains("have not been listed yet", StringComparison.Ordinal));
    }

    [Fact]
    public void A_workload_that_uses_no_claim_needs_no_volume_listing()
    {
        var evaluation = Evaluate("encryption: {requireEncryptedVolumes: true}", UnlistedObjects.Volumes);

        Assert.DoesNotContain(evaluation.Resources, r => r.Resource.Name == "web" && r.Findings.Any(f => f.Rule.Id == "encryption.volumes"));
        Assert.Equal(FindingResult.Error, evaluation.ResultOf("Deployment", "db", "encryption.volumes"));
    }

    private static PolicyEvaluation Evaluate(string duty, UnlistedObjects unlisted)
    {
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Workloads));
        snapshot.Unlisted = unlisted;
        snapshot.ApiServerVersion = "1.31";
        return new PolicyEvaluator(new FixedClock(TestEvaluation.Now)).Evaluate(TestEvaluation.Policy(duty), snapshot);
    }
}
