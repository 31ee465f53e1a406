using k8s.Autorest;
using EksHardening.Operator.Resilience;
using Polly;
using Polly.Retry;

namespace EksHardening.Operator.Admission;

/// <summary>
/// Keeps the webhook's certificates: creates the CA and serving certificate in a Secret of the operator's
/// namespace or reuses the ones there, renews them before they expire (<see cref="CertificateRotation"/>),
/// installs the serving certificate in the listener's holder, and writes the CA bundle into the
/// ValidatingWebhookConfiguration. Every replica runs it: the Secret is the single source, created with
/// create (a 409 means another replica won: its Secret is read and used) and replaced with the resourceVersion
/// it was read at (a 409 means another replica rotated first), so all replicas serve certificates of one CA.
/// </summary>
public sealed partial class WebhookCertificates(
    IKubernetes client,
    WebhookOptions options,
    ServingCertificateHolder holder,
    TimeProvider clock,
    ILogger<WebhookCertificates> logger) : BackgroundService
{
    private const int MaxAttempts = 5;
    private long _secretWrites;
    private long _caBundlePatches;
    private long _lostRaces;
    private ResiliencePipeline<WebhookTlsBundle>? _passes;
    private bool _configurationMissingLogged;

    /// <summary>Secrets this replica created or replaced.</summary>
    public long SecretWrites => Interlocked.Read(ref _secretWrites);
    /// <summary>Patches of the ValidatingWebhookConfiguration's caBundle.</summary>
    public long CaBundlePatches => Interlocked.Read(ref _caBundlePatches);
    /// <summary>Writes that met a 409 because another replica wrote first.</summary>
    public long LostRaces => Interlocked.Read(ref _lostRaces);

    /// <summary>Up to <see cref="MaxAttempts"/> passes, each at once after a 409 of the one before.</summary>
    private ResiliencePipeline<WebhookTlsBundle> Passes => _passes ??= new ResiliencePipelineBuilder<WebhookTlsBundle> { TimeProvider = clock }
        .AddRetry(new RetryStrategyOptions<WebhookTlsBundle>
        {
            MaxRetryAttempts = MaxAttempts - 1,
            Delay = TimeSpan.Zero,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict }),
            OnRetry = _ =>
            {
                Interlocked.Increment(ref _lostRaces);
                LogLostRace(logger, options.Namespace, options.SecretName);
                return default;
            },
        })
        .Build();

    /// <summary>A check that fails is tried again after 2 s, doubling to a minute (never past the check interval).</summary>
    private ExponentialBackoff CheckBackoff => new(TimeSpan.FromSeconds(2),
        options.CertificateCheckInterval < TimeSpan.FromMinutes(1) ? options.CertificateCheckInterval : TimeSpan.FromMinutes(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = CheckBackoff;
        var checks = RetryPipelines.UntilCancelled(clock, (e, failures) =>
        {
            var delay = backoff.Nominal(failures);
            LogCheckFailed(logger, e, (int)delay.TotalSeconds);
            return delay;
        });
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await checks.ExecuteAsync(static async (self, token) => await self.EnsureAsync(token).ConfigureAwait(false), this, stoppingToken).ConfigureAwait(false);
                await Task.Delay(options.CertificateCheckInterval, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Renews the serving certificate now, whatever its expiry (the periodic check renews on its own).</summary>
    public Task<WebhookTlsBundle> RotateServingCertificateAsync(CancellationToken cancellationToken) => EnsureAsync(cancellationToken, forceServing: true);

    /// <summary>
    /// One pass: read the Secret, renew what is due and write it back, serve its certificate, update the caBundle. A write
    /// that meets a 409 (another replica wrote first) starts the pass again at once from what that replica wrote.
    /// </summary>
    public async Task<WebhookTlsBundle> EnsureAsync(CancellationToken cancellationToken, bool forceServing = false)
    {
        var force = forceServing;
        var bundle = await Passes.ExecuteAsync(async token =>
        {
            var secret = await ReadSecretAsync(token).ConfigureAwait(false);
            var current = WebhookTlsBundle.FromSecretData(secret?.Data);
            var result = CertificateRotation.Renew(current, options.DnsNames, clock.GetUtcNow(), force);
            if (result.Changed)
            {
                try
                {
                    await WriteSecretAsync(secret, result.Bundle, token).ConfigureAwait(false);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // The other replica's certificates are as good as ours: use what it wrote rather than rotate again.
                    force = false;
                    throw;
                }

                Interlocked.Increment(ref _secretWrites);
                LogRenewed(logger, options.Namespace, options.SecretName, result.Reasons);
            }

            return result.Bundle;
        }, cancellationToken).ConfigureAwait(false);

        Install(bundle);
        await UpdateCaBundleAsync(bundle.CaBundlePem, cancellationToken).ConfigureAwait(false);
        return bundle;
    }

    private void Install(WebhookTlsBundle bundle)
    {
        var certificate = bundle.LoadServingCertificate();
        if (holder.Set(certificate))
        {
            var notAfter = certificate.NotAfter.ToUniversalTime();
            LogServing(logger, certificate.Thumbprint, notAfter);
        }
        else
        {
            certificate.Dispose();
        }
    }

    private async Task<V1Secret?> ReadSecretAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(options.SecretName, options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task WriteSecretAsync(V1Secret? existing, WebhookTlsBundle bundle, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            var secret = new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta
                {
                    Name = options.SecretName,
                    NamespaceProperty = options.Namespace,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "eks-hardening", ["app.kubernetes.io/component"] = "webhook" },
                },
                Type = "kubernetes.io/tls",
                Data = bundle.ToSecretData(),
            };
            await client.CoreV1.CreateNamespacedSecretAsync(secret, options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        // Replace with the resourceVersion we read: a concurrent rotation makes this a 409, never a lost update.
        existing.Data ??= new Dictionary<string, byte[]>();
        foreach (var (key, value) in bundle.ToSecretData()) existing.Data[key] = value;
        existing.Metadata.ManagedFields = null;
        await client.CoreV1.ReplaceNamespacedSecretAsync(existing, options.SecretName, options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the bundle into every webhook of the configuration whose caBundle differs, by JSON patch with a test
    /// of each webhook's name (a reordered list fails the patch instead of landing on the wrong entry). A missing
    /// configuration is not an error: the chart may not have installed it yet, or a cert-manager setup owns it.
    /// </summary>
    private async Task UpdateCaBundleAsync(string caBundlePem, CancellationToken cancellationToken)
    {
        V1ValidatingWebhookConfiguration configuration;
        try
        {
            configuration = await client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(options.ConfigurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            if (!_configurationMissingLogged) LogNoConfiguration(logger, options.ConfigurationName);
            _configurationMissingLogged = true;
            return;
        }

        _configurationMissingLogged = false;
        var wanted = Encoding.UTF8.GetBytes(caBundlePem);
        var operations = new JsonArray();
        var webhooks = configuration.Webhooks ?? [];
        for (var i = 0; i < webhooks.Count; i++)
        {
            if (webhooks[i].ClientConfig?.CaBundle is { } current && current.AsSpan().SequenceEqual(wanted)) continue;
            operations.Add((JsonNode)new JsonObject { ["op"] = "test", ["path"] = $"/webhooks/{i}/name", ["value"] = webhooks[i].Name });
            operations.Add((JsonNode)new JsonObject { ["op"] = "add", ["path"] = $"/webhooks/{i}/clientConfig/caBundle", ["value"] = Convert.ToBase64String(wanted) });
        }

        if (operations.Count == 0) return;
        await client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(
            new V1Patch(operations.ToJsonString(), V1Patch.PatchType.JsonPatch), options.ConfigurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _caBundlePatches);
        LogCaBundlePatched(logger, options.ConfigurationName, operations.Count / 2);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook certificates in Secret {Namespace}/{Secret} renewed: {Reasons}")]
    private static partial void LogRenewed(ILogger logger, string @namespace, string secret, IReadOnlyList<string> reasons);

    [LoggerMessage(Level = LogLevel.Information, Message = "Secret {Namespace}/{Secret} was written by another replica first; using its certificates")]
    private static partial void LogLostRace(ILogger logger, string @namespace, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook serving certificate {Thumbprint} (valid until {NotAfter:u}) installed")]
    private static partial void LogServing(ILogger logger, string thumbprint, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "ValidatingWebhookConfiguration {Name} not found; its caBundle will be written once it exists")]
    private static partial void LogNoConfiguration(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "ValidatingWebhookConfiguration {Name}: caBundle written into {Webhooks} webhooks")]
    private static partial void LogCaBundlePatched(ILogger logger, string name, int webhooks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook certificate check failed; retrying in {DelaySeconds}s")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, int delaySeconds);
}
