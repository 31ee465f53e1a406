using EksHardening.Operator.Manifests;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Cli;

/// <summary>When the table is coloured.</summary>
public enum ColourMode
{
    /// <summary>On a terminal, unless NO_COLOR is set to a non-empty value (https://no-color.org).</summary>
    Auto,
    Always,
    Never,
}

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

    /// <summary>Where the report goes instead of stdout (--output-file); null: stdout.</summary>
    public string? OutputFile { get; internal set; }

    /// <summary>Which findings the report lists (--only-failed, --min-severity); the exit code does not depend on it.</summary>
    public FindingFilter Filter { get; internal set; } = FindingFilter.All;

    /// <summary>--color: auto (a terminal without NO_COLOR), always or never.</summary>
    public ColourMode Colour { get; internal set; } = ColourMode.Auto;

    /// <summary>helm template's --values files and --set assignments, for chart directories among the inputs.</summary>
    public List<string> HelmValues { get; } = [];

    public List<string> HelmSets { get; } = [];

    /// <summary>Labels given with --namespace-labels, by namespace (an empty map: a namespace without labels).</summary>
    public SortedDictionary<string, SortedDictionary<string, string>> NamespaceLabels { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks what no single flag can: inputs were given, the AWS flags come with --aws, the helm flags with a chart
    /// directory, and the report file's directory exists.
    /// </summary>
    internal void Check()
    {
        if (Paths.Count == 0) throw new UsageException("no input: give manifests with -f PATH (or -f - for stdin)");
        if (!Aws && (ClusterName is not null || Region is not null)) throw new UsageException("--cluster-name and --region need --aws");
        if ((HelmValues.Count > 0 || HelmSets.Count > 0)
            && !Paths.Any(p => Directory.Exists(p) && ManifestRenderer.KindOf(p) == DirectoryKind.HelmChart))
        {
            throw new UsageException("--values and --set are passed to helm template, so they need a Helm chart directory (one with a Chart.yaml) among the -f inputs");
        }

        foreach (var values in HelmValues)
        {
            if (!File.Exists(values)) throw new UsageException($"--values {values}: no such file");
        }

        if (OutputFile is { } file)
        {
            if (Directory.Exists(file)) throw new UsageException($"--output-file {file} is a directory; name a file");
            var parent = Path.GetDirectoryName(Path.GetFullPath(file));
            if (parent is null || !Directory.Exists(parent)) throw new UsageException($"--output-file {file}: directory {Path.GetDirectoryName(file)} does not exist");
        }
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
