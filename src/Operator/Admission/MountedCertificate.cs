namespace EksHardening.Operator.Admission;

/// <summary>
/// Serves a certificate issued by someone else (cert-manager) from a mounted directory: <c>tls.crt</c> (leaf first)
/// and <c>tls.key</c>. The files are polled and reloaded when their content changes; Secret volumes are updated by
/// swapping a symlink, which file watchers miss, so polling is the reliable way. A half-written or mismatched pair
/// is skipped and the current certificate kept until the next poll. The caBundle is cert-manager's cainjector's
/// business in this mode.
/// </summary>
public sealed partial class MountedCertificate(
    WebhookOptions options,
    ServingCertificateHolder holder,
    TimeProvider clock,
    ILogger<MountedCertificate> logger) : BackgroundService
{
    /// <summary>Mounted Secret updates take up to the kubelet sync period (about a minute); polling faster gains nothing.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    private string? _loadedFingerprint;

    /// <summary>Files loaded so far (1 after the first load).</summary>
    public int Loads { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TryReload();
            try
            {
                await Task.Delay(PollInterval, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Loads the files when their content changed; returns whether a new certificate was installed.</summary>
    public bool TryReload()
    {
        var directory = options.CertificateDirectory ?? throw new InvalidOperationException("no certificate directory configured");
        string certificatePem, keyPem;
        try
        {
            certificatePem = File.ReadAllText(Path.Combine(directory, WebhookTlsBundle.CertificateKey));
            keyPem = File.ReadAllText(Path.Combine(directory, WebhookTlsBundle.PrivateKeyKey));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, directory, e.Message);
            return false;
        }

        var fingerprint = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(certificatePem + "\n" + keyPem)));
        if (fingerprint == _loadedFingerprint) return false;
        try
        {
            var certificate = Pem.LoadWithKey(certificatePem, keyPem);
            _loadedFingerprint = fingerprint;
            if (!holder.Set(certificate)) return false;
            Loads++;
            var notAfter = certificate.NotAfter.ToUniversalTime();
            LogLoaded(logger, directory, certificate.Thumbprint, notAfter);
            return true;
        }
        catch (CryptographicException e)
        {
            LogUnreadable(logger, directory, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook certificate {Thumbprint} (valid until {NotAfter:u}) loaded from {Directory}")]
    private static partial void LogLoaded(ILogger logger, string directory, string thumbprint, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook certificate files in {Directory} cannot be used yet: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string directory, string problem);
}
