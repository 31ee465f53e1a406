namespace EksHardening.Operator.Admission;

/// <summary>
/// The operator's own small CA for the webhook (System.Security.Cryptography only): an ECDSA P-256 CA and
/// serving certificates for the webhook Service's DNS names, signed by it.
/// </summary>
public static class WebhookCertificateAuthority
{
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(730);
    public static readonly TimeSpan ServingValidity = TimeSpan.FromDays(90);

    /// <summary>Certificates start this far in the past, so that an API server whose clock runs behind accepts them.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A new self-signed CA, valid for <see cref="CaValidity"/> from <paramref name="now"/>.</summary>
    public static (string CertificatePem, string KeyPem) CreateCa(DateTimeOffset now, string commonName = "eks-hardening-webhook-ca")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}, O=eks-hardening"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var certificate = request.CreateSelfSigned(now - Backdate, now + CaValidity);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>
    /// A serving certificate for <paramref name="dnsNames"/> signed by the CA, valid for <see cref="ServingValidity"/>
    /// but never beyond the CA itself (<paramref name="validity"/> overrides, for tests of expiry).
    /// </summary>
    public static (string CertificatePem, string KeyPem) IssueServing(string caCertificatePem, string caKeyPem, IReadOnlyList<string> dnsNames,
        DateTimeOffset now, TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        using var ca = Pem.LoadWithKey(caCertificatePem, caKeyPem);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={dnsNames[0]}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames) names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var notBefore = now - Backdate;
        var notAfter = now + (validity ?? ServingValidity);
        var caNotAfter = new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        if (notAfter > caNotAfter) notAfter = caNotAfter;
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;   // a positive serial number
        using var certificate = request.Create(ca, notBefore, notAfter, serial);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>The DNS names of a certificate's subject alternative name extension.</summary>
    public static IReadOnlyList<string> DnsNamesOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san) return san.EnumerateDnsNames().ToList();
        }

        return [];
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> alone, at <paramref name="at"/>.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> authorities, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        foreach (var authority in authorities) chain.ChainPolicy.CustomTrustStore.Add(authority);
        return chain.Build(certificate);
    }
}
