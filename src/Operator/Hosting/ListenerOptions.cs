namespace EksHardening.Operator.Hosting;

/// <summary>The ports the host listens on: health and metrics in plain HTTP, the webhook (WebhookOptions.Port) in HTTPS.</summary>
public sealed class ListenerOptions
{
    /// <summary>/healthz and /readyz; 0: any free port.</summary>
    public int HealthPort { get; set; } = 8081;

    /// <summary>/metrics; 0: any free port. The same as <see cref="HealthPort"/>: one listener serves both.</summary>
    public int MetricsPort { get; set; } = 8080;

    /// <summary>The webhook's HTTPS port, as <c>WebhookOptions.Port</c> sets it; 0: no webhook listener.</summary>
    public int WebhookPort { get; set; }
}
