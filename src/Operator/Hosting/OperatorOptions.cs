using EksHardening.Operator.Admission;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Controllers;
using EksHardening.Operator.Controllers.Reports;

namespace EksHardening.Operator.Hosting;

/// <summary>What the operator host runs with; <c>eks-hardening run</c> fills it from its flags and <c>EKS_HARDENING_*</c> variables (Cli/RunFlags).</summary>
public sealed class OperatorOptions
{
    public string? Kubeconfig { get; set; }
    public string? Context { get; set; }
    public bool LeaderElection { get; set; } = true;
    public string LeaseNamespace { get; set; } = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "eks-hardening-system";
    public string LeaseName { get; set; } = "eks-hardening-operator";
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
    public int Workers { get; set; } = 2;
    public int HealthPort { get; set; } = 8081;
    public int MetricsPort { get; set; } = 8080;
    public int MaxViolations { get; set; } = 50;
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan StatusWriteInterval { get; set; } = TimeSpan.FromSeconds(1);
    public string Identity { get; set; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;
    public bool Aws { get; set; } = true;
    public string? AwsRegion { get; set; }
    public PolicyReportOptions PolicyReports { get; } = new();

    /// <summary>Console log lines as text (default) or one JSON object per line.</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>The admission webhook; <see cref="WebhookOptions.Port"/> 0 turns it off.</summary>
    public WebhookOptions Webhook { get; } = new()
    {
        Namespace = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } webhookNs ? webhookNs : "eks-hardening-system",
    };

    /// <summary>The objects these options name, as the API permissions address them.</summary>
    public OperatorObjectNames ObjectNames => new(LeaseName, Webhook.SecretName, Webhook.ConfigurationName);
}
