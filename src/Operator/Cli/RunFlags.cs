using EksHardening.Operator.Admission;
using EksHardening.Operator.Hosting;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Cli;

/// <summary>The flags of <c>eks-hardening run</c>; each also reads from an <c>EKS_HARDENING_*</c> variable.</summary>
public static class RunFlags
{
    public const string Usage = """
        Usage: eks-hardening run [flags]

        Runs the operator: watches ResponsibilityPolicies and workloads and keeps each policy's status true.
        Every flag can also be set by the environment variable in brackets.

          --kubeconfig PATH          kubeconfig to use; default: in-cluster config, else ~/.kube/config [KUBECONFIG]
          --context NAME             kubeconfig context [EKS_HARDENING_CONTEXT]
          --leader-elect BOOL        elect a leader on a Lease so that only one replica writes (default true)
                                     [EKS_HARDENING_LEADER_ELECT]
          --lease-namespace NS       namespace of the Lease (default: POD_NAMESPACE, else eks-hardening-system)
                                     [EKS_HARDENING_LEASE_NAMESPACE]
          --lease-name NAME          name of the Lease (default eks-hardening-operator) [EKS_HARDENING_LEASE_NAME]
          --lease-duration DURATION  how long a lease lasts without renewal (default 15s) [EKS_HARDENING_LEASE_DURATION]
          --workers N                concurrent reconciles (default 2) [EKS_HARDENING_WORKERS]
          --health-port PORT         /healthz and /readyz (default 8081; 0 = any free port) [EKS_HARDENING_HEALTH_PORT]
          --metrics-port PORT        /metrics (default 8080) [EKS_HARDENING_METRICS_PORT]
          --max-violations N         violations kept in status, at most 500 (default 50) [EKS_HARDENING_MAX_VIOLATIONS]
          --evaluation-interval DUR  re-evaluation interval for policies that set none (default 10m)
                                     [EKS_HARDENING_EVALUATION_INTERVAL]
          --status-write-interval DUR  least time between two status writes of one policy; changes arriving faster
                                     are written together (default 1s; 0s writes every change at once)
                                     [EKS_HARDENING_STATUS_WRITE_INTERVAL]
          --identity NAME            this replica's name in the Lease (default: POD_NAME, else the host name)
          --aws BOOL                 learn AWS facts (ECR scans, IAM roles, the EKS cluster) with the default credential
                                     chain (IRSA, Pod Identity, env); false turns the AWS-backed rules off (default true)
                                     [EKS_HARDENING_AWS]
          --aws-region REGION        region for AWS calls when a policy names none [AWS_REGION]
          --policy-reports BOOL      write wgpolicyk8s.io/v1alpha2 PolicyReports (one per namespace and policy) and a
                                     ClusterPolicyReport per policy when those CRDs are served, e.g. by Policy
                                     Reporter or Kyverno (default true) [EKS_HARDENING_POLICY_REPORTS]
          --policy-report-max-results N
                                     results kept in one report, failures first; the summary counts all
                                     (default 1000, at most 2000 to stay well below the object size limit)
                                     [EKS_HARDENING_POLICY_REPORT_MAX_RESULTS]

        Admission webhook (validating; judges Pods and workloads for Warn and Enforce policies):
          --webhook-port PORT        HTTPS port of POST /validate (default 9443; 0 = webhook off)
                                     [EKS_HARDENING_WEBHOOK_PORT]
          --webhook-timeout SECONDS  the webhook configuration's timeoutSeconds, 1 to 30 (default 5); a decision
                                     gets this less one second [EKS_HARDENING_WEBHOOK_TIMEOUT]
          --webhook-failure-policy P Ignore or Fail (default Ignore): the configuration's failurePolicy, and the
                                     answer when a decision runs out of time [EKS_HARDENING_WEBHOOK_FAILURE_POLICY]
          --webhook-namespace NS     the operator's namespace: webhook Service and certificate Secret, never judged
                                     (default: POD_NAMESPACE, else eks-hardening-system) [EKS_HARDENING_WEBHOOK_NAMESPACE]
          --webhook-service NAME     the webhook Service (default eks-hardening-webhook) [EKS_HARDENING_WEBHOOK_SERVICE]
          --webhook-secret NAME      Secret with the webhook CA and certificate (default eks-hardening-webhook-tls)
                                     [EKS_HARDENING_WEBHOOK_SECRET]
          --webhook-config NAME      ValidatingWebhookConfiguration whose caBundle is kept current (default
                                     eks-hardening) [EKS_HARDENING_WEBHOOK_CONFIG]
          --webhook-cert-dir DIR     serve tls.crt/tls.key from DIR (cert-manager), reloaded when they change,
                                     instead of the operator's own CA [EKS_HARDENING_WEBHOOK_CERT_DIR]
        """;

    public static OperatorOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null) => Parse(args, environment, out _);

    /// <param name="help">Whether <c>-h</c> or <c>--help</c> was given (the other flags are still checked).</param>
    public static OperatorOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment, out bool help)
    {
        help = false;
        environment ??= Environment.GetEnvironmentVariable;
        var options = new OperatorOptions();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flag in Flags)
        {
            if (environment(flag.Variable) is { Length: > 0 } value) values[flag.Name] = value;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                help = true;
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (!Flags.Any(f => f.Name == name)) throw new UsageException(arg.StartsWith('-') ? $"unknown flag {arg}" : $"unexpected argument '{arg}'");
            if (eq > 0) values[name] = arg[(eq + 1)..];
            else if (i + 1 < args.Count) values[name] = args[++i];
            else throw new UsageException($"{name} needs a value");
        }

        foreach (var (name, value) in values) Flags.Single(f => f.Name == name).Apply(options, value);
        if (options.Webhook.Port != 0 && (options.Webhook.Port == options.HealthPort || options.Webhook.Port == options.MetricsPort))
        {
            throw new UsageException($"--webhook-port {options.Webhook.Port} is already the health or metrics port; the webhook needs its own (HTTPS) port");
        }

        return options;
    }

    private sealed record Flag(string Name, string Variable, Action<OperatorOptions, string> Apply);

    private static readonly Flag[] Flags =
    [
        new("--kubeconfig", "KUBECONFIG", (o, v) => o.Kubeconfig = v),
        new("--context", "EKS_HARDENING_CONTEXT", (o, v) => o.Context = v),
        new("--leader-elect", "EKS_HARDENING_LEADER_ELECT", (o, v) => o.LeaderElection = Bool("--leader-elect", v)),
        new("--lease-namespace", "EKS_HARDENING_LEASE_NAMESPACE", (o, v) => o.LeaseNamespace = v),
        new("--lease-name", "EKS_HARDENING_LEASE_NAME", (o, v) => o.LeaseName = v),
        new("--lease-duration", "EKS_HARDENING_LEASE_DURATION", (o, v) => o.LeaseDuration = Duration("--lease-duration", v)),
        new("--workers", "EKS_HARDENING_WORKERS", (o, v) => o.Workers = Int("--workers", v, 1, 64)),
        new("--health-port", "EKS_HARDENING_HEALTH_PORT", (o, v) => o.HealthPort = Int("--health-port", v, 0, 65535)),
        new("--metrics-port", "EKS_HARDENING_METRICS_PORT", (o, v) => o.MetricsPort = Int("--metrics-port", v, 0, 65535)),
        new("--max-violations", "EKS_HARDENING_MAX_VIOLATIONS", (o, v) => o.MaxViolations = Int("--max-violations", v, 0, 500)),
        new("--evaluation-interval", "EKS_HARDENING_EVALUATION_INTERVAL", (o, v) => o.EvaluationInterval = Duration("--evaluation-interval", v)),
        new("--status-write-interval", "EKS_HARDENING_STATUS_WRITE_INTERVAL", (o, v) => o.StatusWriteInterval = Duration("--status-write-interval", v, allowZero: true)),
        new("--identity", "EKS_HARDENING_IDENTITY", (o, v) => o.Identity = v),
        new("--aws", "EKS_HARDENING_AWS", (o, v) => o.Aws = Bool("--aws", v)),
        new("--aws-region", "AWS_REGION", (o, v) => o.AwsRegion = v),
        new("--policy-reports", "EKS_HARDENING_POLICY_REPORTS", (o, v) => o.PolicyReports.Enabled = Bool("--policy-reports", v)),
        new("--policy-report-max-results", "EKS_HARDENING_POLICY_REPORT_MAX_RESULTS", (o, v) => o.PolicyReports.MaxResults = Int("--policy-report-max-results", v, 1, 2000)),
        new("--webhook-port", "EKS_HARDENING_WEBHOOK_PORT", (o, v) => o.Webhook.Port = Int("--webhook-port", v, 0, 65535)),
        new("--webhook-timeout", "EKS_HARDENING_WEBHOOK_TIMEOUT", (o, v) => o.Webhook.TimeoutSeconds = Int("--webhook-timeout", v, 1, 30)),
        new("--webhook-failure-policy", "EKS_HARDENING_WEBHOOK_FAILURE_POLICY", (o, v) => o.Webhook.FailurePolicy = FailurePolicy(v)),
        new("--webhook-namespace", "EKS_HARDENING_WEBHOOK_NAMESPACE", (o, v) => o.Webhook.Namespace = v),
        new("--webhook-service", "EKS_HARDENING_WEBHOOK_SERVICE", (o, v) => o.Webhook.ServiceName = v),
        new("--webhook-secret", "EKS_HARDENING_WEBHOOK_SECRET", (o, v) => o.Webhook.SecretName = v),
        new("--webhook-config", "EKS_HARDENING_WEBHOOK_CONFIG", (o, v) => o.Webhook.ConfigurationName = v),
        new("--webhook-cert-dir", "EKS_HARDENING_WEBHOOK_CERT_DIR", (o, v) => o.Webhook.CertificateDirectory = v),
    ];

    private static WebhookFailurePolicy FailurePolicy(string value) => value.ToLowerInvariant() switch
    {
        "ignore" => WebhookFailurePolicy.Ignore,
        "fail" => WebhookFailurePolicy.Fail,
        _ => throw new UsageException($"--webhook-failure-policy must be Ignore or Fail, not '{value}'"),
    };

    private static bool Bool(string flag, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new UsageException($"{flag} must be true or false, not '{value}'"),
    };

    private static int Int(string flag, string value, int min, int max) =>
        int.TryParse(value, out var n) && n >= min && n <= max ? n : throw new UsageException($"{flag} must be a whole number from {min} to {max}, not '{value}'");

    private static TimeSpan Duration(string flag, string value, bool allowZero = false) =>
        DurationParser.TryParse(value, out var d) && (d > TimeSpan.Zero || (allowZero && d == TimeSpan.Zero))
            ? d
            : throw new UsageException($"{flag} must be a duration such as 30s or 10m, not '{value}'");
}
