namespace EksHardening.Operator.Tests.Rules;

public class NodeRulesTests
{
    private const string SkewId = "node.kubelet-skew";
    private const string AgeId = "node.max-age";

    /// <summary>A Node named n1; TestEvaluation.Now is 2026-11-28T12:00:00Z.</summary>
    private static string Node(string? kubeletVersion, string? created = "2026-11-20T12:00:00Z", string labels = "{}") => $$"""
        apiVersion: v1
        kind: Node
        metadata: {name: n1, labels: {{labels}}{{(created is null ? "" : $", creationTimestamp: \"{created}\"")}}}
        status: {{(kubeletVersion is null ? "{}" : $"{{nodeInfo: {{kubeletVersion: {kubeletVersion}}}}}")}}
        """;

    private static PolicyEvaluation Evaluate(string policy, string objects, string? apiServerVersion)
    {
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(objects));
        snapshot.ApiServerVersion = apiServerVersion;
        return new PolicyEvaluator(new FixedClock(TestEvaluation.Now)).Evaluate(TestEvaluation.Policy(policy), snapshot);
    }

    public static TheoryData<string, string, string?, string, string, FindingResult, string?> Cases => new()
    {
        // node.kubelet-skew: the kubelet lags the API server by at most maxKubeletSkew minors, and is never newer.
        { "same minor passes", "nodes: {maxKubeletSkew: 0}", "1.31", Node("v1.31.2-eks-7f9249a"), SkewId, FindingResult.Pass, null },
        { "one behind within a skew of 1 passes", "nodes: {maxKubeletSkew: 1}", "v1.31.4-eks-1234567", Node("v1.30.9-eks-abc"), SkewId, FindingResult.Pass, null },
        { "three behind within the policy's limit of 3 passes", "nodes: {maxKubeletSkew: 3}", "1.31", Node("v1.28.5"), SkewId, FindingResult.Pass, null },
        { "two behind with a skew of 1 fails", "nodes: {maxKubeletSkew: 1}", "1.31", Node("v1.29.3-eks-ae9a62a"), SkewId, FindingResult.Fail,
            "Node n1: kubelet v1.29.3-eks-ae9a62a is 2 minor versions behind the API server 1.31 (maxKubeletSkew 1)" },
        { "one behind with a skew of 0 fails", "nodes: {maxKubeletSkew: 0}", "1.31", Node("v1.30.0"), SkewId, FindingResult.Fail,
            "is 1 minor version behind the API server 1.31 (maxKubeletSkew 0)" },
        { "a kubelet newer than the API server fails whatever the skew", "nodes: {maxKubeletSkew: 3}", "1.30", Node("v1.31.0"), SkewId, FindingResult.Fail,
            "kubelet v1.31.0 is newer than the API server 1.30; the version skew policy does not allow a kubelet newer than kube-apiserver" },
        { "another major version fails", "nodes: {maxKubeletSkew: 3}", "1.31", Node("v2.31.0"), SkewId, FindingResult.Fail, "has another major version" },
        { "a node without a kubelet version is an error", "nodes: {maxKubeletSkew: 1}", "1.31", Node(null), SkewId, FindingResult.Error,
            "Node n1 reports no status.nodeInfo.kubeletVersion" },
        { "an unreadable kubelet version is an error", "nodes: {maxKubeletSkew: 1}", "1.31", Node("banana"), SkewId, FindingResult.Error, "is not a Kubernetes version" },
        { "an unreadable API server version is an error", "nodes: {maxKubeletSkew: 1}", "one-thirty", Node("v1.31.0"), SkewId, FindingResult.Error,
            "the API server's version \"one-thirty\" is not a Kubernetes version" },
        { "an exempted node is exempt", "nodes: {maxKubeletSkew: 0}\nexemptions: [{name: slow-pool, rules: [node.*], reason: JIRA-9}]", "1.31", Node("v1.29.0"), SkewId,
            FindingResult.Exempt, null },

        // node.max-age: creationTimestamp against the evaluation's clock.
        { "a young node passes", "nodes: {maxNodeAge: 720h}", null, Node("v1.31.0", "2026-11-20T12:00:00Z"), AgeId, FindingResult.Pass, null },
        { "a node exactly maxNodeAge old passes", "nodes: {maxNodeAge: 24h}", null, Node("v1.31.0", "2026-11-27T12:00:00Z"), AgeId, FindingResult.Pass, null },
        { "an old node fails with its age", "nodes: {maxNodeAge: 720h}", null, Node("v1.31.0", "2025-01-15T09:30:00Z"), AgeId, FindingResult.Fail,
            "Node n1 was created 2025-01-15T09:30:00Z, 682d2h ago, older than maxNodeAge 720h" },
        { "a node a second past maxNodeAge fails", "nodes: {maxNodeAge: 24h}", null, Node("v1.31.0", "2026-11-27T11:59:59Z"), AgeId, FindingResult.Fail, "older than maxNodeAge 24h" },
        { "a node without creationTimestamp is an error", "nodes: {maxNodeAge: 720h}", null, Node("v1.31.0", created: null), AgeId, FindingResult.Error,
            "Node n1 has no metadata.creationTimestamp" },
        { "an exempted old node is exempt", "nodes: {maxNodeAge: 720h}\nexemptions: [{name: pinned, rules: [node.max-age], reason: JIRA-7}]", null,
            Node("v1.31.0", "2025-01-15T09:30:00Z"), AgeId, FindingResult.Exempt, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Node_rules_judge_the_node(string because, string policy, string? apiServerVersion, string objects, string rule, FindingResult expected, string? message)
    {
        var finding = Assert.Single(Evaluate(policy, objects, apiServerVersion).FindingsOf("Node", "n1").Of(rule));
        Assert.True(expected == finding.Result, $"{because}: {finding.Result} {finding.Message}");
        if (message is not null) Assert.Contains(message, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_case_table_has_a_pass_and_two_failures_per_rule() =>
        TestEvaluation.AssertEveryRuleHasAPassAndTwoFailures(new NodeRules(), Cases.Select(c => ((string)c[4], (FindingResult)c[5])));

    [Fact]
    public void Without_the_API_server_version_the_skew_is_not_evaluated_and_a_note_says_so()
    {
        var evaluation = Evaluate("nodes: {maxKubeletSkew: 1, maxNodeAge: 720h}", Node("v1.20.0"), apiServerVersion: null);
        var node = Assert.Single(evaluation.Resources, r => r.Resource.Kind == "Node");
        Assert.Empty(node.Findings.Of(SkewId));
        Assert.Equal(FindingResult.Pass, Assert.Single(node.Findings.Of(AgeId)).Result);
        Assert.Contains("node.kubelet-skew not evaluated: the API server's version is unknown", Assert.Single(node.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_are_judged_whatever_match_excludes_and_sit_on_the_cluster_scope()
    {
        var evaluation = Evaluate("match: {excludeNamespaces: [default], namespaceSelector: {matchLabels: {env: prod}}}\nnodes: {maxNodeAge: 720h}",
            Node("v1.31.0", "2025-01-15T09:30:00Z"), null);
        var node = Assert.Single(evaluation.Resources);
        Assert.Equal(new ResourceRef("v1", "Node", null, "n1"), node.Resource);
        Assert.Equal(FindingResult.Fail, node.Verdict);
        Assert.Equal("metadata.creationTimestamp", Assert.Single(node.Findings).Path);
    }

    [Fact]
    public void A_policy_without_the_nodes_section_judges_no_node() =>
        Assert.Empty(Evaluate("podSecurity: {level: baseline}", Node("v1.20.0", "2020-01-01T00:00:00Z"), "1.31").Resources);

    [Theory]
    [InlineData("1.31", 1, 31)]
    [InlineData("v1.31", 1, 31)]
    [InlineData("v1.31.2-eks-7f9249a", 1, 31)]
    [InlineData("v1.29.0+k3s1", 1, 29)]
    [InlineData(" 1.30.1 ", 1, 30)]
    public void Kubernetes_versions_read_major_and_minor(string text, int major, int minor)
    {
        Assert.True(KubernetesMinorVersion.TryParse(text, out var version));
        Assert.Equal(new KubernetesMinorVersion(major, minor), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("v1.x")]
    [InlineData("1.031")]
    [InlineData("latest")]
    public void Other_texts_are_no_Kubernetes_version(string text) => Assert.False(KubernetesMinorVersion.TryParse(text, out _));
}
