using EksHardening.Entities;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Cli;

/// <summary>A command line the user got wrong: shown as one line with a pointer to --help, exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The flags of <c>eks-hardening scan</c>.</summary>
public sealed class ScanOptions
{
    public const string Usage = """
        Usage: eks-hardening scan -f PATH [-f PATH ...] [--policy FILE] [--output table|json|sarif] [--fail-on LEVEL]
                                 [--namespace-labels NS=KEY=VALUE,... ...] [--aws [--cluster-name NAME] [--region REGION]]

        Evaluates Kubernetes manifests offline against ResponsibilityPolicies, as the operator would.

          -f, --filename PATH   file, directory (recursive: .yaml, .yml, .json) or - for stdin; repeatable
          -p, --policy FILE     policies to apply; default: the ResponsibilityPolicies among the inputs,
                                else the example policy shipped in deploy/examples/
          -o, --output FORMAT   table (default), json or sarif
              --fail-on LEVEL   exit 1 when a finding of this severity or worse fails:
                                none, low, medium, high (default) or critical
              --namespace-labels NS=KEY=VALUE[,KEY=VALUE...]
                                the labels of namespace NS, for policies that select namespaces by label when
                                the inputs hold no Namespace object for NS; NS= means a namespace without labels.
                                Repeatable. Without it (or the Namespace manifest) such a namespace's resources
                                are evaluated as selected and the report says which namespaces were undecided.
              --aws             also check the AWS side (ECR scans, IAM roles, the EKS cluster) with the usual
                                credential chain; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured
              --cluster-name N  the EKS cluster, where a policy's cluster section names none
              --region R        the AWS region, where a policy names none (default AWS_REGION)

        Exit codes: 0 nothing fails at or above --fail-on, 1 something does, 2 usage or input error.
        """;

    public List<string> Paths { get; } = [];
    public string? PolicyFile { get; private set; }
    public string Output { get; private set; } = "table";
    /// <summary>Null means <c>none</c>: never fail the build.</summary>
    public Severity? FailOn { get; private set; } = Severity.High;
    public bool Help { get; private set; }
    public bool Aws { get; private set; }
    public string? ClusterName { get; private set; }
    public string? Region { get; private set; }

    /// <summary>Labels given with --namespace-labels, by namespace (an empty map: a namespace without labels).</summary>
    public SortedDictionary<string, SortedDictionary<string, string>> NamespaceLabels { get; } = new(StringComparer.Ordinal);

    public static ScanOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScanOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            if (eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inlineValue is not null) return inlineValue;
                if (i + 1 >= args.Count) throw new UsageException($"{arg} needs a value");
                return args[++i];
            }

            switch (arg)
            {
                case "-f" or "--filename" or "--file": options.Paths.Add(Value()); break;
                case "-p" or "--policy": options.PolicyFile = Value(); break;
                case "-o" or "--output":
                    options.Output = Value().ToLowerInvariant();
                    if (ScanReportWriters.For(options.Output) is null)
                    {
                        throw new UsageException($"--output must be {string.Join(", ", ScanReportWriters.Formats.SkipLast(1))} or {ScanReportWriters.Formats[^1]}, not '{options.Output}'");
                    }

                    break;
                case "--fail-on": options.FailOn = ParseFailOn(Value()); break;
                case "-h" or "--help": options.Help = true; break;
                case "--aws": options.Aws = true; break;
                case "--cluster-name": options.ClusterName = Value(); break;
                case "--region": options.Region = Value(); break;
                case "--namespace-labels": options.AddNamespaceLabels(Value()); break;
                default:
                    throw new UsageException(arg.StartsWith('-') ? $"unknown flag {arg}" : $"unexpected argument '{arg}' (inputs are given with -f)");
            }
        }

        if (!options.Help && options.Paths.Count == 0) throw new UsageException("no input: give manifests with -f PATH (or -f - for stdin)");
        if (!options.Aws && (options.ClusterName is not null || options.Region is not null)) throw new UsageException("--cluster-name and --region need --aws");
        return options;
    }

    /// <summary>
    /// One --namespace-labels value: <c>NS=KEY=VALUE[,KEY=VALUE...]</c>, or <c>NS=</c> for a namespace without labels.
    /// A key's value may be empty (<c>KEY=</c>). Label keys and values contain no ',' or '=', so the syntax is unambiguous.
    /// Repeating the flag for a namespace adds labels; giving one key two values is an error.
    /// </summary>
    private void AddNamespaceLabels(string value)
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

    private static Severity? ParseFailOn(string value) => value.ToLowerInvariant() switch
    {
        "none" => null,
        "low" => Severity.Low,
        "medium" => Severity.Medium,
        "high" => Severity.High,
        "critical" => Severity.Critical,
        _ => throw new UsageException($"--fail-on must be none, low, medium, high or critical, not '{value}'"),
    };
}
