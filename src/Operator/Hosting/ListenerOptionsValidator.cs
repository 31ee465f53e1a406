namespace EksHardening.Operator.Hosting;

/// <summary>Each port in range, and the webhook's HTTPS port apart from the plain-HTTP ones.</summary>
public sealed class ListenerOptionsValidator : IValidateOptions<ListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, ListenerOptions options)
    {
        var problems = new ValidateOptionsResultBuilder();
        problems.Port("--health-port", options.HealthPort);
        problems.Port("--metrics-port", options.MetricsPort);
        if (options.WebhookPort != 0 && (options.WebhookPort == options.HealthPort || options.WebhookPort == options.MetricsPort))
        {
            problems.AddError($"--webhook-port {options.WebhookPort} is already the health or metrics port; the webhook needs its own (HTTPS) port");
        }

        return problems.Build();
    }
}
