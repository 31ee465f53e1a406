using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Cli;

/// <summary>What <c>eks-hardening scan</c> was asked to do (<see cref="ScanFlags"/> reads it from the command line).</summary>
public sealed class ScanOptions
{
    public List<string> Paths { get; } = [];
    public string? PolicyFile { get; internal set; }
    public string Output { get; internal set; } = "table";
    /// <summary>Null means <c>none</c>: never fail the build.</summary>
    public Severity? FailOn { get; internal set; } = Severity.High;
    public bool Aws { get; internal set; }
    public string? ClusterName { get; internal set; }
    public string? Region { get; internal set; }
    /// <summary>The API server's version for node.kubelet-skew (--kubernetes-version); null when not given.</summary>
    public string? KubernetesVersion { get; internal set; }

    /// <summary>Labels given with --namespace-labels, by namespace (an empty map: a namespace without labels).</summary>
    public SortedDictionary<string, SortedDictionary<string, string>> NamespaceLabels { get; } = new(StringComparer.Ordinal);

    /// <summary>Checks what no single flag can: inputs were given, and the AWS flags come with --aws.</summary>
    internal void Check()
    {
        if (Paths.Count == 0) throw new UsageException("no input: give manifests with -f PATH (or -f - for stdin)");
        if (!Aws && (ClusterName is not null || Region is not null)) throw new UsageException("--cluster-name and --region need --aws");
    }

    /// <summary>
    /// One --namespace-labels value: <c>NS=KEY=VALUE[,KEY=VALUE...]</c>, or <c>NS=</c> for a namespace without labels.
    /// A key's value may be empty (<c>KEY=</c>). Label keys and values contain no ',' or '=', so the syntax is unambiguous.
    /// Repeating the flag for a namespace adds labels; giving one key two values is an error.
    /// </summary>
    internal void AddNamespaceLabels(string value)
    {
        const string flag = "--namespace-labels";
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0) throw new UsageException($"{flag} '{value}' must be NS=KEY=VALUE[,KEY=VALUE...] (or NS= for a namespace without labels)");
        var ns = value[..eq];
        if (ns.Length is 0 or > 63 || !Policies.SemanticChecks.DnsLabel().IsMatch(ns))
        {
            throw new UsageException($"{flag} '{value}': '{ns}' is not a namespace name (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)");
        }

        if (!NamespaceLabels.TryGetValue(ns, out var labels)) NamespaceLabels[ns] = labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pairs = value[(eq + 1)..];
        if (pairs.Length == 0) return;
        foreach (var pair in pairs.Split(','))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at < 0) throw new UsageException($"{flag} '{value}': label '{pair}' has no value: write {pair}=VALUE ({pair}= for an empty value)");
            var (key, labelValue) = (pair[..at], pair[(at + 1)..]);
            if (Policies.SemanticChecks.LabelKeyProblem(key) is { } keyProblem) throw new UsageException($"{flag} '{value}': {keyProblem}");
            if (Policies.SemanticChecks.LabelValueProblem(labelValue) is { } valueProblem) throw new UsageException($"{flag} '{value}': label {key}: {valueProblem}");
            if (labels.TryGetValue(key, out var earlier) && earlier != labelValue)
            {
                throw new UsageException($"{flag}: namespace {ns} is given label {key} twice, as '{earlier}' and as '{labelValue}'");
            }

            labels[key] = labelValue;
        }
    }
}
