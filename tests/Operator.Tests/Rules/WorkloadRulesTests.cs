namespace EksHardening.Operator.Tests.Rules;

public class WorkloadRulesTests
{
    private const string Policy = """
        podSecurity: {level: restricted, requireResourceLimits: true, requireReadOnlyRootFilesystem: true}
        """;

    private const string Limits = "workload.resource-limits";
    private const string ReadOnlyRoot = "workload.read-only-root-filesystem";

    private static string Deployment(string containers, string extraPodSpec = "") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {"{"}name: web, namespace: shop{"}"}
        spec:
          template:
            spec:
        {extraPodSpec}
              containers:
        {containers}
        """;

    [Fact]
    public void Limits_and_read_only_root_pass()
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Deployment("""
                  - name: app
                    image: app:1
                    resources: {limits: {cpu: 500m, memory: 256Mi}}
                    securityContext: {readOnlyRootFilesystem: true}
            """));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Deployment", "web", "workload.resource-limits"));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Deployment", "web", "workload.read-only-root-filesystem"));
    }

    [Theory]
    [InlineData(Limits, "resources: {limits: {cpu: 500m}}", "container app has no resources.limits.memory", "resources.limits")]
    [InlineData(Limits, "resources: {requests: {cpu: 1, memory: 1Gi}}", "container app has no resources.limits.cpu or resources.limits.memory", "resources.limits")]
    [InlineData(Limits, "", "container app has no resources.limits.cpu or resources.limits.memory", "resources.limits")]
    [InlineData(ReadOnlyRoot, "securityContext: {readOnlyRootFilesystem: false}", "securityContext.readOnlyRootFilesystem is false", "securityContext.readOnlyRootFilesystem")]
    [InlineData(ReadOnlyRoot, "securityContext: {runAsNonRoot: true}", "securityContext.readOnlyRootFilesystem is not set", "securityContext.readOnlyRootFilesystem")]
    [InlineData(ReadOnlyRoot, "", "securityContext.readOnlyRootFilesystem is not set", "securityContext.readOnlyRootFilesystem")]
    public void A_container_without_the_setting_fails_and_says_what_is_missing(string rule, string setting, string message, string field)
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Deployment($"""
                  - name: app
                    image: app:1
                    {setting}
            """));
        var finding = Assert.Single(evaluation.FindingsOf("Deployment", "web").Of(rule));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains(message, finding.Message);
        Assert.Equal("spec.template.spec.containers[0]." + field, finding.Path);
    }

    [Fact]
    public void Pod_level_limits_satisfy_containers_and_ephemeral_containers_are_not_asked()
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Deployment("""
                  - {name: app, image: app:1}
            """, """
                  resources: {limits: {cpu: "1", memory: 1Gi}}
                  ephemeralContainers: [{name: dbg, image: busybox:1}]
            """));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Deployment", "web", "workload.resource-limits"));
    }

    [Fact]
    public void Init_containers_need_a_read_only_root_too()
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Deployment("""
                  - {name: app, image: app:1, securityContext: {readOnlyRootFilesystem: true}}
            """, """
                  initContainers: [{name: migrate, image: app:1}]
            """));
        var finding = Assert.Single(evaluation.FindingsOf("Deployment", "web").Of("workload.read-only-root-filesystem"));
        Assert.Contains("init container migrate", finding.Message);
    }
}
