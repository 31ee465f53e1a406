namespace EksHardening.Operator.Tests.Cli;

/// <summary>The scan over `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml` (a v1 List) on stdin.</summary>
public class ScanRbacTests : ScanTestBase
{
    private const string Policy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: access}
        spec:
          rbac: {disallowClusterAdminBindings: true, disallowWildcardRoles: true}
        """;

    private const string KubectlList = """
        apiVersion: v1
        kind: List
        metadata: {resourceVersion: ""}
        items:
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRole
          metadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}, uid: 6d1c}
          rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
          subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}]
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata: {name: ci-admin}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
          subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: Role
          metadata: {name: cm, namespace: shop}
          rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: RoleBinding
          metadata: {name: cm, namespace: shop}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm}
          subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
        """;

    [Fact]
    public void A_kubectl_list_of_RBAC_objects_on_stdin_is_judged_binding_by_binding()
    {
        var policy = Write("policy.yaml", Policy);
        var outcome = Scan(KubectlList, "-f", "-", "--policy", policy, "-o", "json");
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
        using var json = JsonDocument.Parse(outcome.Stdout);
        var resources = json.RootElement.GetProperty("policies")[0].GetProperty("resources").EnumerateArray()
            .ToDictionary(r => $"{r.GetProperty("kind").GetString()} {r.GetProperty("name").GetString()}", r => r.GetProperty("verdict").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["ClusterRoleBinding cluster-admin"] = "pass",
            ["ClusterRoleBinding ci-admin"] = "fail",
            ["RoleBinding cm"] = "pass",
        }, resources);
        Assert.Contains("ServiceAccount ci/deployer", outcome.Stdout);
    }
}
