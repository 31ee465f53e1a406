using System.CommandLine;
using EksHardening.Operator.Admission;
using EksHardening.Operator.Hosting;

namespace EksHardening.Operator.Cli;

/// <summary>
/// The flags of <c>eks-hardening run</c>; each also reads from its environment variable (<c>EKS_HARDENING_*</c>,
/// <c>KUBECONFIG</c>, <c>AWS_REGION</c>). They read values only; the host's options validators check ranges on start.
/// </summary>
public sealed class RunFlags
{
    private static readonly Dictionary<string, WebhookFailurePolicy> FailurePolicies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Ignore"] = WebhookFailurePolicy.Ignore,
        ["Fail"] = WebhookFailurePolicy.Fail,
    };

    private static readonly Dictionary<string, LogFormat> LogFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text"] = LogFormat.Text,
        ["json"] = LogFormat.Json,
    };

    private readonly EnvironmentFlag<OperatorOptions>[] _operator =
    [
        Text("--kubeconfig", "PATH", "KUBECONFIG", "kubeconfig to use; default: in-cluster config, else ~/.kube/config", (o, v) => o.Kubeconfig = v),
        Text("--context", "NAME", "EKS_HARDENING_CONTEXT", "kubeconfig context", (o, v) => o.Context = v),
        Boolean("--leader-elect", "EKS_HARDENING_LEADER_ELECT", "elect a leader on a Lease so that only one replica writes (default true)",
            (o, v) => o.LeaderElection = v),
        Text("--lease-namespace", "NS", "EKS_HARDENING_LEASE_NAMESPACE", "namespace of the Lease (default: POD_NAMESPACE, else eks-hardening-system)",
            (o, v) => o.LeaseNamespace = v),
        Text("--lease-name", "NAME", "EKS_HARDENING_LEASE_NAME", "name of the Lease (default eks-hardening-operator)", (o, v) => o.LeaseName = v),
        Duration("--lease-duration", "EKS_HARDENING_LEASE_DURATION", "how long a lease lasts without renewal (default 15s)", (o, v) => o.LeaseDuration = v),
        Number("--workers", "EKS_HARDENING_WORKERS", "concurrent reconciles, 1 to 64 (default 2)", (o, v) => o.Workers = v),
        Number("--health-port", "EKS_HARDENING_HEALTH_PORT", "/healthz and /readyz (default 8081; 0 = any free port)", (o, v) => o.HealthPort = v, "PORT"),
        Number("--metrics-port", "EKS_HARDENING_METRICS_PORT", "/metrics (default 8080; 0 = any free port)", (o, v) => o.MetricsPort = v, "PORT"),
        Number("--max-violations", "EKS_HARDENING_MAX_VIOLATIONS", "violations kept in status, at most 500 (default 50)", (o, v) => o.MaxViolations = v),
        Duration("--evaluation-interval", "EKS_HARDENING_EVALUATION_INTERVAL", "re-evaluation interval for policies that set none (default 10m)",
            (o, v) => o.EvaluationInterval = v),
        Duration("--status-write-interval", "EKS_HARDENING_STATUS_WRITE_INTERVAL",
            "least time between two status writes of one policy; changes arriving faster are written together (default 1s; 0s writes every change at once)",
            (o, v) => o.StatusWriteInterval = v),
        Text("--identity", "NAME", "EKS_HARDENING_IDENTITY", "this replica's name in the Lease (default: POD_NAME, else the host name)", (o, v) => o.Identity = v),
        Boolean("--aws", "EKS_HARDENING_AWS",
            "learn AWS facts (ECR scans, IAM roles, the EKS cluster) with the default credential chain (IRSA, Pod Identity, env); false turns the AWS-backed rules off (default true)",
            (o, v) => o.Aws = v),
        Text("--aws-region", "REGION", "AWS_REGION", "region for AWS calls when a policy names none", (o, v) => o.AwsRegion = v),
        Boolean("--policy-reports", "EKS_HARDENING_POLICY_REPORTS",
            "write wgpolicyk8s.io/v1alpha2 PolicyReports (one per namespace and policy) and a ClusterPolicyReport per policy when those CRDs are served, e.g. by Policy Reporter or Kyverno (default true)",
            (o, v) => o.PolicyReports.Enabled = v),
        Number("--policy-report-max-results", "EKS_HARDENING_POLICY_REPORT_MAX_RESULTS",
            "results kept in one report, failures first; the summary counts all (default 1000, at most 2000 to stay well below the object size limit)",
            (o, v) => o.PolicyReports.MaxResults = v),
        EnvironmentFlag<OperatorOptions>.Create("--log-format", "FORMAT", "EKS_HARDENING_LOG_FORMAT",
            "text or json (default text): json writes one object per line (UTC timestamp, level, category, message, named values, scopes) for log pipelines",
            v => FlagValues.OneOf("--log-format", v, LogFormats), (o, v) => o.LogFormat = v),
    ];

    private readonly EnvironmentFlag<OperatorOptions>[] _webhook =
    [
        Number("--webhook-port", "EKS_HARDENING_WEBHOOK_PORT", "HTTPS port of POST /validate (default 9443; 0 = webhook off)", (o, v) => o.Webhook.Port = v, "PORT"),
        Number("--webhook-timeout", "EKS_HARDENING_WEBHOOK_TIMEOUT",
            "the webhook configuration's timeoutSeconds, 1 to 30 (default 5); a decision gets this less one second", (o, v) => o.Webhook.TimeoutSeconds = v, "SECONDS"),
        EnvironmentFlag<OperatorOptions>.Create("--webhook-failure-policy", "P", "EKS_HARDENING_WEBHOOK_FAILURE_POLICY",
            "Ignore or Fail (default Ignore): the configuration's failurePolicy, and the answer when a decision runs out of time",
            v => FlagValues.OneOf("--webhook-failure-policy", v, FailurePolicies), (o, v) => o.Webhook.FailurePolicy = v),
        Text("--webhook-namespace", "NS", "EKS_HARDENING_WEBHOOK_NAMESPACE",
            "the operator's namespace: webhook Service and certificate Secret, never judged (default: POD_NAMESPACE, else eks-hardening-system)",
            (o, v) => o.Webhook.Namespace = v),
        Text("--webhook-service", "NAME", "EKS_HARDENING_WEBHOOK_SERVICE", "the webhook Service (default eks-hardening-webhook)", (o, v) => o.Webhook.ServiceName = v),
        Text("--webhook-secret", "NAME", "EKS_HARDENING_WEBHOOK_SECRET", "Secret with the webhook CA and certificate (default eks-hardening-webhook-tls)",
            (o, v) => o.Webhook.SecretName = v),
        Text("--webhook-config", "NAME", "EKS_HARDENING_WEBHOOK_CONFIG",
            "ValidatingWebhookConfiguration whose caBundle is kept current (default eks-hardening)", (o, v) => o.Webhook.ConfigurationName = v),
        Text("--webhook-cert-dir", "DIR", "EKS_HARDENING_WEBHOOK_CERT_DIR",
            "serve tls.crt/tls.key from DIR (cert-manager), reloaded when they change, instead of the operator's own CA",
            (o, v) => o.Webhook.CertificateDirectory = v),
    ];

    /// <summary>The <c>run</c> command's flags, for the parser.</summary>
    internal IEnumerable<Option> Options => _operator.Concat(_webhook).Select(f => f.Option);

    internal IReadOnlyList<HelpSection> HelpSections =>
    [
        new(null, [.. _operator.Select(f => f.Option)]),
        new("Admission webhook (validating; judges Pods and workloads for Warn and Enforce policies):", [.. _webhook.Select(f => f.Option)]),
    ];

    /// <summary>The options the flags and variables describe; values are read, not yet range-checked.</summary>
    /// <exception cref="UsageException">A variable's value does not read.</exception>
    internal OperatorOptions Bind(ParseResult result, Func<string, string?> environment)
    {
        var options = new OperatorOptions();
        foreach (var flag in _operator.Concat(_webhook)) flag.Apply(result, environment, options);
        return options;
    }

    /// <summary>
    /// Reads <c>run</c>'s flags as the command does (for tests and tools that build a host from a command line),
    /// and checks the values as the host does on start.
    /// </summary>
    /// <exception cref="UsageException">A flag, value or variable is wrong; the message names the flag.</exception>
    public static OperatorOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var flags = new RunFlags();
        var command = new Command("run");
        foreach (var option in flags.Options) command.Add(option);
        var result = command.Parse(args, EksHardeningCommand.ParserConfiguration);
        if (result.Errors.Count > 0) throw new UsageException(EksHardeningCommand.Describe(result));
        var options = flags.Bind(result, environment);
        if (OperatorHost.Problems(options) is [var first, ..]) throw new UsageException(first);
        return options;
    }

    private static EnvironmentFlag<OperatorOptions> Text(string name, string valueName, string variable, string description, Action<OperatorOptions, string> apply) =>
        EnvironmentFlag<OperatorOptions>.Create(name, valueName, variable, description, v => v, apply);

    private static EnvironmentFlag<OperatorOptions> Number(string name, string variable, string description, Action<OperatorOptions, int> apply, string valueName = "N") =>
        EnvironmentFlag<OperatorOptions>.Create(name, valueName, variable, description, v => FlagValues.WholeNumber(name, v), apply);

    private static EnvironmentFlag<OperatorOptions> Boolean(string name, string variable, string description, Action<OperatorOptions, bool> apply) =>
        EnvironmentFlag<OperatorOptions>.Create(name, "BOOL", variable, description, v => FlagValues.Boolean(name, v), apply);

    private static EnvironmentFlag<OperatorOptions> Duration(string name, string variable, string description, Action<OperatorOptions, TimeSpan> apply) =>
        EnvironmentFlag<OperatorOptions>.Create(name, "DURATION", variable, description, v => FlagValues.Duration(name, v), apply);
}
