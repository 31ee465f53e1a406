namespace EksHardening.Operator.Admission;

/// <summary>What the API server does when the webhook cannot answer; the webhook's own timeouts follow the same choice.</summary>
public enum WebhookFailurePolicy
{
    /// <summary>Admit (the default: a webhook outage never blocks deployments or the cluster's own controllers).</summary>
    Ignore,
    /// <summary>Reject.</summary>
    Fail,
}

/// <summary>Settings of the validating admission webhook, its listener and its certificates.</summary>
public sealed class WebhookOptions
{
    /// <summary>Largest AdmissionReview body read: an object and its old version, each at most etcd's 1.5 MiB request limit.</summary>
    public const int DefaultMaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>HTTPS port of POST /validate; 0 turns the webhook off.</summary>
    public int Port { get; set; } = 9443;

    /// <summary>The ValidatingWebhookConfiguration's timeoutSeconds (1 to 30; the API server's default is 10, ours 5).</summary>
    public int TimeoutSeconds { get; set; } = 5;

    public WebhookFailurePolicy FailurePolicy { get; set; } = WebhookFailurePolicy.Ignore;

    /// <summary>Namespace of the operator: its Service, the certificate Secret, and a namespace the webhook never judges.</summary>
    public string Namespace { get; set; } = "eks-hardening-system";

    /// <summary>The Service in front of the webhook; the serving certificate names <c>&lt;service&gt;.&lt;namespace&gt;.svc</c>.</summary>
    public string ServiceName { get; set; } = "eks-hardening-webhook";

    /// <summary>The Secret (type kubernetes.io/tls) holding the CA and serving certificate shared by all replicas.</summary>
    public string SecretName { get; set; } = "eks-hardening-webhook-tls";

    /// <summary>The ValidatingWebhookConfiguration whose caBundle the operator keeps current.</summary>
    public string ConfigurationName { get; set; } = "eks-hardening";

    /// <summary>When set, tls.crt and tls.key are read from this directory (cert-manager) instead of the operator's own CA.</summary>
    public string? CertificateDirectory { get; set; }

    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// The budget for reading, deciding and answering one request: the configured timeout less one second for
    /// the network and TLS, so that the answer (a timeout answer, if need be) reaches the API server in time.
    /// </summary>
    public TimeSpan DecisionBudget => TimeSpan.FromMilliseconds(Math.Max(500, TimeoutSeconds * 1000 - 1000));

    /// <summary>How often the certificates are checked (Secret re-read, expiry, caBundle) or the mounted files polled.</summary>
    public TimeSpan CertificateCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>DNS names the serving certificate must carry.</summary>
    public IReadOnlyList<string> DnsNames =>
    [
        $"{ServiceName}.{Namespace}.svc",
        $"{ServiceName}.{Namespace}.svc.cluster.local",
        $"{ServiceName}.{Namespace}",
        ServiceName,
    ];
}
