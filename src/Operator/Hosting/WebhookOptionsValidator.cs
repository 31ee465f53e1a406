using EksHardening.Operator.Admission;

namespace EksHardening.Operator.Hosting;

/// <summary>The webhook's port, timeout and object names valid; its names are checked even when the webhook is off, as the chart passes them.</summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var problems = new ValidateOptionsResultBuilder();
        problems.Port("--webhook-port", options.Port);
        // The API server accepts timeoutSeconds from 1 to 30.
        problems.WholeNumber("--webhook-timeout", options.TimeoutSeconds, 1, 30);
        if (!Enum.IsDefined(options.FailurePolicy)) problems.AddError($"--webhook-failure-policy must be Ignore or Fail, not '{options.FailurePolicy}'");
        problems.DnsLabel("--webhook-namespace", options.Namespace);
        problems.DnsLabel("--webhook-service", options.ServiceName);
        problems.DnsSubdomain("--webhook-secret", options.SecretName);
        problems.DnsSubdomain("--webhook-config", options.ConfigurationName);
        if (options.CertificateDirectory is { } directory) problems.NotEmpty("--webhook-cert-dir", directory);
        problems.WholeNumber($"{nameof(WebhookOptions)}.{nameof(options.MaxBodyBytes)}", options.MaxBodyBytes, 1, int.MaxValue);
        problems.Positive($"{nameof(WebhookOptions)}.{nameof(options.CertificateCheckInterval)}", options.CertificateCheckInterval);
        return problems.Build();
    }
}
