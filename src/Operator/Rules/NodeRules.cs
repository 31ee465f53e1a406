namespace EksHardening.Operator.Rules;

/// <summary>
/// Node patching duties (<c>node.*</c>) from the Kubernetes API: a node's kubelet keeps up with the API server, and
/// nodes are replaced before they grow old on an unpatched image. Findings sit on the Node, which is judged whatever
/// match says. What EC2 and EKS say about the instance behind it is <see cref="NodeInstanceRules"/>'.
/// </summary>
public sealed class NodeRules : IRuleFamily
{
    public static readonly RuleDefinition KubeletSkew = new(
        "node.kubelet-skew", "A node's kubelet is not newer than the API server and lags it by at most maxKubeletSkew minor versions",
        ResponsibilityRow.PatchManagement, Severity.High, RuleScope.Object, "nodes.maxKubeletSkew",
        "Upgrade the node group (aws eks update-nodegroup-version, or roll the nodes onto an AMI of the control plane's version); a kubelet newer than the API server needs the control plane upgraded first.");

    public static readonly RuleDefinition MaxAge = new(
        "node.max-age", "Nodes are replaced before they are older than maxNodeAge",
        ResponsibilityRow.PatchManagement, Severity.Medium, RuleScope.Object, "nodes.maxNodeAge",
        "Replace old nodes with ones from a patched image: roll the managed node group (aws eks update-nodegroup-version --force) or let Karpenter expire them (expireAfter).");

    private const string KubeletVersionPath = "status.nodeInfo.kubeletVersion";

    public IReadOnlyList<RuleDefinition> Rules { get; } = [KubeletSkew, MaxAge];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Nodes is not { } duty) return [];
        var enabled = new List<RuleDefinition>(2);
        if (duty.MaxKubeletSkew is not null) enabled.Add(KubeletSkew);
        if (duty.MaxNodeAge is not null) enabled.Add(MaxAge);
        return enabled;
    }

    public void EvaluateObjects(ObjectContext context, ObjectFindings findings)
    {
        var duty = context.Policy.Nodes!;
        if (context.Snapshot.Unlisted.HasFlag(UnlistedObjects.Nodes))
        {
            findings.Unlisted(Unlisted.AllOf<V1Node>(), [.. Rules], Unlisted.Message("Nodes", "spec.nodes"));
            return;
        }

        var infrastructure = context.Snapshot.Infrastructure;
        var apiServer = context.Snapshot.ApiServerVersion;
        var skewKnown = apiServer is not null;
        foreach (var node in infrastructure.Nodes)
        {
            var source = infrastructure.SourceOf(node);
            var rules = new List<RuleDefinition>(2);
            if (duty.MaxKubeletSkew is not null && skewKnown) rules.Add(KubeletSkew);
            if (duty.MaxNodeAge is not null) rules.Add(MaxAge);
            var collector = findings.On(node, CollectionsMarshal.AsSpan(rules), source);
            var name = node.Metadata?.Name ?? "";
            if (duty.MaxKubeletSkew is { } maxSkew)
            {
                if (skewKnown) CheckSkew(name, node, apiServer!, maxSkew, collector);
                else findings.Note(node, source, $"{KubeletSkew.Id} not evaluated: the API server's version is unknown (scan: --kubernetes-version 1.N)");
            }

            if (duty.MaxNodeAge is { } maxAgeText) CheckAge(name, node, maxAgeText, context.Now, collector);
        }
    }

    /// <summary>
    /// The version skew policy: a kubelet must not be newer than kube-apiserver, and may be at most three minor
    /// versions older (kubernetes.io/releases/version-skew-policy); the policy's maxKubeletSkew tightens the latter.
    /// </summary>
    private static void CheckSkew(string name, V1Node node, string apiServerText, int maxSkew, FindingCollector findings)
    {
        if (!KubernetesMinorVersion.TryParse(apiServerText, out var apiServer))
        {
            findings.Error(KubeletSkew, $"the API server's version \"{apiServerText}\" is not a Kubernetes version such as 1.31 or v1.31.2, so the skew of Node {name} is unknown");
            return;
        }

        var kubeletText = node.Status?.NodeInfo?.KubeletVersion;
        if (string.IsNullOrWhiteSpace(kubeletText))
        {
            findings.Error(KubeletSkew, $"Node {name} reports no {KubeletVersionPath}, so its kubelet's version is unknown", KubeletVersionPath);
            return;
        }

        if (!KubernetesMinorVersion.TryParse(kubeletText, out var kubelet))
        {
            findings.Error(KubeletSkew, $"Node {name}: kubelet version \"{kubeletText}\" is not a Kubernetes version, so its skew is unknown", KubeletVersionPath);
            return;
        }

        if (kubelet.Major != apiServer.Major)
        {
            findings.Fail(KubeletSkew, $"Node {name}: kubelet {kubeletText} has another major version than the API server {apiServer}; the version skew policy does not allow it", KubeletVersionPath);
        }
        else if (kubelet.Minor > apiServer.Minor)
        {
            findings.Fail(KubeletSkew, $"Node {name}: kubelet {kubeletText} is newer than the API server {apiServer}; the version skew policy does not allow a kubelet newer than kube-apiserver", KubeletVersionPath);
        }
        else if (apiServer.Minor - kubelet.Minor > maxSkew)
        {
            var lag = apiServer.Minor - kubelet.Minor;
            findings.Fail(KubeletSkew, $"Node {name}: kubelet {kubeletText} is {lag} minor version{(lag == 1 ? "" : "s")} behind the API server {apiServer} (maxKubeletSkew {maxSkew})", KubeletVersionPath);
        }
    }

    private static void CheckAge(string name, V1Node node, string maxAgeText, DateTimeOffset now, FindingCollector findings)
    {
        const string path = "metadata.creationTimestamp";
        if (!DurationParser.TryParse(maxAgeText, out var maxAge) || maxAge <= TimeSpan.Zero)
        {
            // The schema rejects such a policy; a typed policy that skipped validation still never passes.
            findings.Error(MaxAge, $"maxNodeAge \"{maxAgeText}\" is not a positive duration such as 720h, so the age of Node {name} cannot be judged");
            return;
        }

        if (node.Metadata?.CreationTimestamp is not { } created)
        {
            findings.Error(MaxAge, $"Node {name} has no {path}, so its age is unknown", path);
            return;
        }

        var createdUtc = created.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(created, DateTimeKind.Utc) : created.ToUniversalTime();
        var age = now - new DateTimeOffset(createdUtc);
        if (age > maxAge)
        {
            findings.Fail(MaxAge, $"Node {name} was created {createdUtc:yyyy-MM-ddTHH:mm:ssZ}, {FormatDays(age)} ago, older than maxNodeAge {maxAgeText}: its image was not replaced with a patched one since", path);
        }
    }

    internal static string FormatDays(TimeSpan age) => age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h" : $"{(int)age.TotalHours}h{age.Minutes}m";
}
