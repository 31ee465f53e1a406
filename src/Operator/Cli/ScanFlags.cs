using System.CommandLine;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Cli;

/// <summary>
/// The flags of <c>eks-hardening scan</c>. A scan reads few variables of its own: EKS_HARDENING_HELM and
/// EKS_HARDENING_KUBECTL (the tools that render chart and Kustomize directories), NO_COLOR; the AWS SDK's are honoured.
/// </summary>
internal sealed class ScanFlags
{
    private static readonly Dictionary<string, Severity> SeverityLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["low"] = Severity.Low,
        ["medium"] = Severity.Medium,
        ["high"] = Severity.High,
        ["critical"] = Severity.Critical,
    };

    private static readonly Dictionary<string, ColourMode> ColourModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = ColourMode.Auto,
        ["always"] = ColourMode.Always,
        ["never"] = ColourMode.Never,
    };

    private static readonly Dictionary<string, Severity?> FailOnLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = null,
        ["low"] = Severity.Low,
        ["medium"] = Severity.Medium,
        ["high"] = Severity.High,
        ["critical"] = Severity.Critical,
    };

    private readonly Option<List<string>> _files = Flags.Repeated("--filename", "PATH",
        "file, directory (recursive: .yaml, .yml, .json) or - for stdin; repeatable. A Helm chart directory (with a Chart.yaml) is " +
        "rendered with 'helm template DIR' (helm from PATH or EKS_HARDENING_HELM), a Kustomize directory (with a kustomization.yaml) " +
        "with 'kubectl kustomize DIR' (kubectl from PATH or EKS_HARDENING_KUBECTL)", "-f", "--file");

    private readonly Option<List<string>> _values = Flags.Repeated("--values", "FILE",
        "a values file for helm template, for the chart directories among the inputs; repeatable, later files win");

    private readonly Option<List<string>> _set = Flags.Repeated("--set", "KEY=VALUE",
        "a value for helm template (its --set syntax), for the chart directories among the inputs; repeatable");

    private readonly Option<string> _policy = Flags.Valued("--policy", "FILE",
        "policies to apply; default: the ResponsibilityPolicies among the inputs, else the example policy shipped in deploy/examples/", v => v, "-p");

    private readonly Option<string> _output = Flags.Valued("--output", "FORMAT",
        $"{FlagValues.Alternatives(ScanReportWriters.Formats)}; default {ScanReportWriters.Formats[0]}",
        v => ScanReportWriters.For(v.ToLowerInvariant()) is null
            ? throw new UsageException($"--output must be {FlagValues.Alternatives(ScanReportWriters.Formats)}, not '{v}'")
            : v.ToLowerInvariant(),
        "-o");

    private readonly Option<string> _outputFile = Flags.Valued("--output-file", "PATH",
        "write the report to PATH (replaced whole, never left half-written; its directory must exist) instead of stdout, " +
        "and print the summary line on stderr", v => v);

    private readonly Option<string> _failOn = Flags.Valued("--fail-on", "LEVEL",
        "exit 1 when a finding of this severity or worse fails: none, low, medium, high (default) or critical",
        v => FlagValues.OneOf("--fail-on", v, FailOnLevels));

    private readonly Option<bool> _onlyFailed = Flags.Switch("--only-failed",
        "list only failed findings (no passes, errors or exemptions); counts and the exit code still cover every finding");

    private readonly Option<string> _minSeverity = Flags.Valued("--min-severity", "LEVEL",
        "list only findings of this severity or worse: low, medium, high or critical; unlike --fail-on it changes what is " +
        "shown, not the exit code", v => FlagValues.OneOf("--min-severity", v, SeverityLevels));

    private readonly Option<string> _colour = Flags.Valued("--color", "WHEN",
        "colour the table: auto (default: when stdout is a terminal and NO_COLOR is not set), always or never",
        v => FlagValues.OneOf("--color", v, ColourModes));

    private readonly Option<List<string>> _namespaceLabels = Flags.Repeated("--namespace-labels", "NS=KEY=VALUE[,KEY=VALUE...]",
        "the labels of namespace NS, for policies that select namespaces by label when the inputs hold no Namespace object for NS; NS= means a " +
        "namespace without labels. Repeatable. Without it (or the Namespace manifest) such a namespace's resources are evaluated as selected and " +
        "the report says which namespaces were undecided.");

    private readonly Option<bool> _aws = Flags.Switch("--aws",
        "also check the AWS side (ECR scans, IAM roles, the EKS cluster) with the usual credential chain; AWS_ENDPOINT_URL and " +
        "AWS_ENDPOINT_URL_<SERVICE> are honoured");

    private readonly Option<string> _clusterName = Flags.Valued("--cluster-name", "NAME", "the EKS cluster, where a policy's cluster section names none", v => v);

    private readonly Option<string> _region = Flags.Valued("--region", "REGION", "the AWS region, where a policy names none (default AWS_REGION)", v => v);

    private readonly Option<string> _kubernetesVersion = Flags.Valued("--kubernetes-version", "VERSION",
        "the API server's version (1.31, v1.31, or /version's gitVersion such as v1.31.2-eks-7f9249a), which node.kubelet-skew " +
        "compares the Nodes' kubelets with; without it that rule is not evaluated and the Nodes carry a note saying so",
        v => FlagValues.KubernetesVersion("--kubernetes-version", v));

    public IReadOnlyList<Option> Options =>
    [
        _files, _values, _set, _policy, _output, _outputFile, _failOn, _onlyFailed, _minSeverity, _colour, _namespaceLabels, _kubernetesVersion,
        _aws, _clusterName, _region,
    ];

    /// <summary>What the flags ask for.</summary>
    /// <exception cref="UsageException">A value or a combination of flags is wrong; the message names the flag.</exception>
    public ScanOptions Bind(ParseResult result)
    {
        var options = new ScanOptions();
        options.Paths.AddRange(result.GetValue(_files) ?? []);
        options.HelmValues.AddRange(result.GetValue(_values) ?? []);
        options.HelmSets.AddRange(result.GetValue(_set) ?? []);
        if (result.Given(_policy)) options.PolicyFile = result.GetValue(_policy);
        if (result.Given(_output)) options.Output = result.GetValue(_output)!.ToLowerInvariant();
        if (result.Given(_outputFile)) options.OutputFile = result.GetValue(_outputFile);
        if (result.Given(_failOn)) options.FailOn = FlagValues.OneOf("--fail-on", result.GetValue(_failOn)!, FailOnLevels);
        options.Filter = new FindingFilter(result.GetValue(_onlyFailed),
            result.Given(_minSeverity) ? FlagValues.OneOf("--min-severity", result.GetValue(_minSeverity)!, SeverityLevels) : null);
        if (result.Given(_colour)) options.Colour = FlagValues.OneOf("--color", result.GetValue(_colour)!, ColourModes);
        foreach (var value in result.GetValue(_namespaceLabels) ?? []) options.AddNamespaceLabels(value);
        if (result.Given(_kubernetesVersion)) options.KubernetesVersion = FlagValues.KubernetesVersion("--kubernetes-version", result.GetValue(_kubernetesVersion)!);
        options.Aws = result.GetValue(_aws);
        if (result.Given(_clusterName)) options.ClusterName = result.GetValue(_clusterName);
        if (result.Given(_region)) options.Region = result.GetValue(_region);
        options.Check();
        return options;
    }
}
