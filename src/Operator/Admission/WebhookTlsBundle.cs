namespace EksHardening.Operator.Admission;

/// <summary>
/// The webhook's TLS material as the Secret keeps it, in PEM: the CA bundle the API server trusts (newest CA
/// first; an older CA stays until it expires so that certificates it signed keep working during a CA change),
/// the newest CA's key, and the serving certificate and key.
/// </summary>
public sealed class WebhookTlsBundle
{
    public const string CaBundleKey = "ca.crt";
    public const string CaKeyKey = "ca.key";
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";

    public WebhookTlsBundle(string caBundlePem, string caKeyPem, string servingCertificatePem, string servingKeyPem)
    {
        CaBundlePem = caBundlePem;
        CaKeyPem = caKeyPem;
        ServingCertificatePem = servingCertificatePem;
        ServingKeyPem = servingKeyPem;
    }

    public string CaBundlePem { get; }
    public string CaKeyPem { get; }
    public string ServingCertificatePem { get; }
    public string ServingKeyPem { get; }

    /// <summary>The bundle from a Secret's data, or null when a key is missing (a Secret someone else made, or half-written).</summary>
    public static WebhookTlsBundle? FromSecretData(IDictionary<string, byte[]>? data)
    {
        if (data is null) return null;
        string? Text(string key) => data.TryGetValue(key, out var bytes) && bytes is { Length: > 0 } ? Encoding.UTF8.GetString(bytes) : null;
        return Text(CaBundleKey) is { } ca && Text(CaKeyKey) is { } caKey && Text(CertificateKey) is { } cert && Text(PrivateKeyKey) is { } key
            ? new WebhookTlsBundle(ca, caKey, cert, key)
            : null;
    }

    public Dictionary<string, byte[]> ToSecretData() => new(StringComparer.Ordinal)
    {
        [CaBundleKey] = Encoding.UTF8.GetBytes(CaBundlePem),
        [CaKeyKey] = Encoding.UTF8.GetBytes(CaKeyPem),
        [CertificateKey] = Encoding.UTF8.GetBytes(ServingCertificatePem),
        [PrivateKeyKey] = Encoding.UTF8.GetBytes(ServingKeyPem),
    };

    /// <summary>The CA certificates of the bundle, newest first; unreadable entries are skipped.</summary>
    public IReadOnlyList<X509Certificate2> CaCertificates() => Pem.Certificates(CaBundlePem);

    /// <summary>The serving certificate without its key (for inspection), or null when unreadable.</summary>
    public X509Certificate2? ServingCertificate() => Pem.Certificates(ServingCertificatePem) is { Count: > 0 } all ? all[0] : null;

    /// <summary>The serving certificate with its private key, ready for Kestrel.</summary>
    /// <exception cref="CryptographicException">The certificate or key cannot be read, or they do not belong together.</exception>
    public X509Certificate2 LoadServingCertificate() => Pem.LoadWithKey(ServingCertificatePem, ServingKeyPem);
}

/// <summary>PEM reading on top of <see cref="X509CertificateLoader"/> (never the obsolete constructors).</summary>
public static class Pem
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    /// <summary>Every CERTIFICATE block of <paramref name="pem"/>, in order; blocks that do not parse are skipped.</summary>
    public static IReadOnlyList<X509Certificate2> Certificates(string pem)
    {
        var result = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                var der = new byte[fields.DecodedDataLength];
                if (Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written))
                {
                    try
                    {
                        result.Add(X509CertificateLoader.LoadCertificate(der.AsSpan(0, written)));
                    }
                    catch (CryptographicException)
                    {
                    }
                }
            }

            rest = rest[fields.Location.End..];
        }

        return result;
    }

    /// <summary>
    /// The first certificate of <paramref name="certificatePem"/> with the key of <paramref name="keyPem"/> (ECDSA or RSA,
    /// PKCS#8 or traditional), round-tripped through PKCS#12 so that the key is usable by TLS on every platform.
    /// </summary>
    public static X509Certificate2 LoadWithKey(string certificatePem, string keyPem)
    {
        var all = Certificates(certificatePem);
        if (all.Count == 0) throw new CryptographicException("no certificate in PEM");
        using var certificate = all[0];
        X509Certificate2 withKey;
        try
        {
            if (certificate.GetKeyAlgorithm() == EcPublicKeyOid)
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportFromPem(keyPem);
                withKey = certificate.CopyWithPrivateKey(ecdsa);
            }
            else
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(keyPem);
                withKey = certificate.CopyWithPrivateKey(rsa);
            }
        }
        catch (ArgumentException e)
        {
            // No key in the PEM, or a key of another certificate.
            throw new CryptographicException("the private key does not fit the certificate", e);
        }

        using (withKey)
        {
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }
}
