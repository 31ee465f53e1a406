namespace EksHardening.Operator.Admission;

/// <summary>What a rotation pass decided: the bundle to keep (unchanged when nothing was due) and why it changed.</summary>
public sealed record RotationResult(WebhookTlsBundle Bundle, bool Changed, IReadOnlyList<string> Reasons);

/// <summary>
/// When the webhook's certificates are renewed, as a pure function of the current bundle and the time.
/// A missing or unreadable CA is replaced (with a new serving certificate). A CA with less than
/// <see cref="RenewCaBefore"/> left is succeeded by a new one placed first in the bundle, the old one kept
/// until it expires, so that the serving certificate it signed stays trusted; the serving certificate moves
/// to the new CA at its next renewal. The serving certificate is renewed when it has less than
/// <see cref="RenewServingBefore"/> left, does not name the expected DNS names, does not chain to the
/// bundle, or does not match its key.
/// </summary>
public static class CertificateRotation
{
    public static readonly TimeSpan RenewServingBefore = TimeSpan.FromDays(30);
    public static readonly TimeSpan RenewCaBefore = TimeSpan.FromDays(120);

    public static RotationResult Renew(WebhookTlsBundle? current, IReadOnlyList<string> dnsNames, DateTimeOffset now, bool forceServing = false)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        var reasons = new List<string>();
        var authorities = current is null ? [] : current.CaCertificates().Where(c => c.NotAfter.ToUniversalTime() > now.UtcDateTime).ToList();
        var newest = authorities.FirstOrDefault();
        string caBundlePem, caKeyPem;
        if (current is null || newest is null || !KeyFits(newest, current.CaKeyPem))
        {
            reasons.Add(current is null ? "no certificates yet" : "the CA is missing, expired or does not match its key");
            (caBundlePem, caKeyPem) = WebhookCertificateAuthority.CreateCa(now);
            authorities = [];
            forceServing = true;
        }
        else if (newest.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewCaBefore)
        {
            reasons.Add($"the CA expires {newest.NotAfter.ToUniversalTime():yyyy-MM-dd}");
            var (pem, key) = WebhookCertificateAuthority.CreateCa(now);
            caBundlePem = pem + string.Concat(authorities.Select(a => a.ExportCertificatePem() + "\n"));
            caKeyPem = key;
        }
        else
        {
            // Drop expired CAs from the bundle; keep the rest as written.
            caBundlePem = string.Concat(authorities.Select(a => a.ExportCertificatePem() + "\n"));
            if (Normalize(caBundlePem) != Normalize(current.CaBundlePem)) reasons.Add("an expired CA left the bundle");
            caKeyPem = current.CaKeyPem;
        }

        var trusted = Pem.Certificates(caBundlePem);
        var servingReason = forceServing ? (reasons.Count == 0 ? "rotation requested" : null) : ServingProblem(current!, trusted, dnsNames, now);
        string servingPem, servingKeyPem;
        if (forceServing || servingReason is not null)
        {
            if (servingReason is not null) reasons.Add(servingReason);
            (servingPem, servingKeyPem) = WebhookCertificateAuthority.IssueServing(FirstPem(caBundlePem), caKeyPem, dnsNames, now);
        }
        else
        {
            (servingPem, servingKeyPem) = (current!.ServingCertificatePem, current.ServingKeyPem);
        }

        foreach (var certificate in trusted) certificate.Dispose();
        foreach (var certificate in authorities) certificate.Dispose();
        return reasons.Count == 0
            ? new RotationResult(current!, false, [])
            : new RotationResult(new WebhookTlsBundle(caBundlePem, caKeyPem, servingPem, servingKeyPem), true, reasons);
    }

    /// <summary>Why the serving certificate must be renewed, or null when it is good.</summary>
    private static string? ServingProblem(WebhookTlsBundle current, IReadOnlyList<X509Certificate2> trusted, IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        using var serving = current.ServingCertificate();
        if (serving is null) return "the serving certificate is unreadable";
        if (serving.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewServingBefore) return $"the serving certificate expires {serving.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        var names = WebhookCertificateAuthority.DnsNamesOf(serving);
        if (!dnsNames.All(n => names.Contains(n, StringComparer.OrdinalIgnoreCase))) return "the serving certificate does not name the webhook Service";
        if (!WebhookCertificateAuthority.IsIssuedBy(serving, trusted, now)) return "the serving certificate does not chain to the CA bundle";
        if (!KeyFits(serving, current.ServingKeyPem)) return "the serving key does not match its certificate";
        return null;
    }

    private static bool KeyFits(X509Certificate2 certificate, string keyPem)
    {
        try
        {
            using var loaded = Pem.LoadWithKey(certificate.ExportCertificatePem(), keyPem);
            return loaded.HasPrivateKey;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string FirstPem(string bundle)
    {
        using var first = Pem.Certificates(bundle)[0];
        return first.ExportCertificatePem();
    }

    private static string Normalize(string pem) => pem.Replace("\r", "", StringComparison.Ordinal).Trim();
}
