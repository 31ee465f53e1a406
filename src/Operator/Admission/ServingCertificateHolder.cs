namespace EksHardening.Operator.Admission;

/// <summary>
/// The certificate the webhook listener presents, swapped in place on rotation: Kestrel's certificate selector
/// reads <see cref="Current"/> at every TLS handshake, so a new certificate is served without a restart.
/// </summary>
public sealed class ServingCertificateHolder
{
    private readonly Lock _gate = new();
    private X509Certificate2? _current;

    /// <summary>The certificate with its private key, or null before the first one is loaded (handshakes then fail).</summary>
    public X509Certificate2? Current => Volatile.Read(ref _current);

    /// <summary>Certificates installed so far (1 after the first load).</summary>
    public int Generation { get; private set; }

    public bool IsLoaded => Current is not null;

    /// <summary>
    /// Installs <paramref name="certificate"/> unless one with the same thumbprint is already current; returns whether it
    /// changed. The previous certificate is not disposed: a handshake in flight may still be using it.
    /// </summary>
    public bool Set(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_gate)
        {
            if (_current is { } existing && existing.Thumbprint == certificate.Thumbprint) return false;
            Volatile.Write(ref _current, certificate);
            Generation++;
            return true;
        }
    }
}
