namespace EksHardening.Operator.Tests.Admission;

public class CertificateRotationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<string> Names = new WebhookOptions { Namespace = "ops", ServiceName = "hook" }.DnsNames;

    [Fact]
    public void The_first_pass_creates_a_CA_and_a_serving_certificate_for_the_service()
    {
        var result = CertificateRotation.Renew(null, Names, Now);
        Assert.True(result.Changed);
        Assert.Equal(["no certificates yet"], result.Reasons);

        using var ca = Assert.Single(result.Bundle.CaCertificates());
        Assert.Equal(Now.UtcDateTime.AddDays(730), ca.NotAfter.ToUniversalTime());
        Assert.True(Assert.IsType<X509BasicConstraintsExtension>(ca.Extensions["2.5.29.19"]).CertificateAuthority);
        Assert.Equal("1.2.840.10045.2.1", ca.GetKeyAlgorithm());   // ECDSA
        using (var caKey = ca.GetECDsaPublicKey()) Assert.Equal(256, caKey!.KeySize);

        using var serving = result.Bundle.LoadServingCertificate();
        Assert.True(serving.HasPrivateKey);
        Assert.Equal(Now.UtcDateTime.AddDays(90), serving.NotAfter.ToUniversalTime());
        Assert.Equal(Now.UtcDateTime.AddMinutes(-5), serving.NotBefore.ToUniversalTime());
        Assert.Equal(["hook.ops.svc", "hook.ops.svc.cluster.local", "hook.ops", "hook"], WebhookCertificateAuthority.DnsNamesOf(serving));
        Assert.Contains(Assert.IsType<X509EnhancedKeyUsageExtension>(serving.Extensions["2.5.29.37"]).EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.False(Assert.IsType<X509BasicConstraintsExtension>(serving.Extensions["2.5.29.19"]).CertificateAuthority);
        Assert.True(WebhookCertificateAuthority.IsIssuedBy(serving, [ca], Now));
    }

    [Fact]
    public void A_bundle_in_good_health_is_kept_as_it_is()
    {
        var first = CertificateRotation.Renew(null, Names, Now).Bundle;
        var later = CertificateRotation.Renew(first, Names, Now.AddDays(59));
        Assert.False(later.Changed);
        Assert.Same(first, later.Bundle);
    }

    [Fact]
    public void The_serving_certificate_is_renewed_with_less_than_30_days_left_and_the_CA_kept()
    {
        var first = CertificateRotation.Renew(null, Names, Now).Bundle;
        var renewed = CertificateRotation.Renew(first, Names, Now.AddDays(61));
        Assert.True(renewed.Changed);
        Assert.Equal(["the serving certificate expires 2027-02-26"], renewed.Reasons);
        Assert.Equal(first.CaBundlePem, renewed.Bundle.CaBundlePem);
        Assert.Equal(first.CaKeyPem, renewed.Bundle.CaKeyPem);
        Assert.NotEqual(first.ServingCertificatePem, renewed.Bundle.ServingCertificatePem);
        using var serving = renewed.Bundle.ServingCertificate()!;
        Assert.Equal(Now.UtcDateTime.AddDays(61 + 90), serving.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void A_CA_near_its_end_is_succeeded_by_a_new_one_while_the_old_stays_trusted_until_it_expires()
    {
        var first = CertificateRotation.Renew(null, Names, Now).Bundle;
        var at = Now.AddDays(730 - 100);
        // The serving certificate was renewed in time all along; only the CA is due.
        var (servingPem, servingKey) = WebhookCertificateAuthority.IssueServing(first.CaBundlePem, first.CaKeyPem, Names, at.AddDays(-1));
        var servingFresh = new WebhookTlsBundle(first.CaBundlePem, first.CaKeyPem, servingPem, servingKey);

        var rotated = CertificateRotation.Renew(servingFresh, Names, at);
        Assert.True(rotated.Changed);
        Assert.Equal(["the CA expires 2028-11-27"], rotated.Reasons);
        var cas = rotated.Bundle.CaCertificates();
        Assert.Equal(2, cas.Count);
        Assert.Equal(first.CaBundlePem.Trim(), cas[1].ExportCertificatePem().Trim());
        Assert.NotEqual(first.CaKeyPem, rotated.Bundle.CaKeyPem);
        // The old serving certificate is still served and still trusted by the bundle...
        Assert.Equal(servingPem, rotated.Bundle.ServingCertificatePem);
        using var serving = rotated.Bundle.ServingCertificate()!;
        Assert.True(WebhookCertificateAuthority.IsIssuedBy(serving, cas, at));

        // ...until its own renewal, which the new CA signs; the old CA leaves the bundle once expired.
        var next = CertificateRotation.Renew(rotated.Bundle, Names, at.AddDays(70)).Bundle;
        using var renewedServing = next.ServingCertificate()!;
        Assert.True(WebhookCertificateAuthority.IsIssuedBy(renewedServing, [next.CaCertificates()[0]], at.AddDays(70)));
        Assert.Equal(2, next.CaCertificates().Count);
        var afterExpiry = CertificateRotation.Renew(next, Names, at.AddDays(101));
        Assert.Contains("an expired CA left the bundle", afterExpiry.Reasons);
        Assert.Single(afterExpiry.Bundle.CaCertificates());
    }

    [Fact]
    public void A_serving_certificate_for_another_service_or_CA_or_key_is_replaced()
    {
        var bundle = CertificateRotation.Renew(null, Names, Now).Bundle;

        var otherNames = CertificateRotation.Renew(bundle, ["other.ops.svc"], Now);
        Assert.Equal(["the serving certificate does not name the webhook Service"], otherNames.Reasons);

        var foreign = CertificateRotation.Renew(null, Names, Now).Bundle;
        var mixed = new WebhookTlsBundle(bundle.CaBundlePem, bundle.CaKeyPem, foreign.ServingCertificatePem, foreign.ServingKeyPem);
        Assert.Equal(["the serving certificate does not chain to the CA bundle"], CertificateRotation.Renew(mixed, Names, Now).Reasons);

        var wrongKey = new WebhookTlsBundle(bundle.CaBundlePem, bundle.CaKeyPem, bundle.ServingCertificatePem, foreign.ServingKeyPem);
        Assert.Equal(["the serving key does not match its certificate"], CertificateRotation.Renew(wrongKey, Names, Now).Reasons);

        var garbage = new WebhookTlsBundle(bundle.CaBundlePem, bundle.CaKeyPem, "not pem", "not pem");
        Assert.Equal(["the serving certificate is unreadable"], CertificateRotation.Renew(garbage, Names, Now).Reasons);
    }

    [Fact]
    public void A_missing_or_mismatched_CA_starts_over_with_a_new_CA()
    {
        var bundle = CertificateRotation.Renew(null, Names, Now).Bundle;
        var other = CertificateRotation.Renew(null, Names, Now).Bundle;
        var mismatched = new WebhookTlsBundle(bundle.CaBundlePem, other.CaKeyPem, bundle.ServingCertificatePem, bundle.ServingKeyPem);
        var result = CertificateRotation.Renew(mismatched, Names, Now);
        Assert.Equal(["the CA is missing, expired or does not match its key"], result.Reasons);
        Assert.NotEqual(bundle.CaBundlePem, result.Bundle.CaBundlePem);
        using var serving = result.Bundle.ServingCertificate()!;
        Assert.True(WebhookCertificateAuthority.IsIssuedBy(serving, result.Bundle.CaCertificates(), Now));
    }

    [Fact]
    public void A_forced_rotation_renews_only_the_serving_certificate()
    {
        var bundle = CertificateRotation.Renew(null, Names, Now).Bundle;
        var forced = CertificateRotation.Renew(bundle, Names, Now.AddDays(1), forceServing: true);
        Assert.Equal(["rotation requested"], forced.Reasons);
        Assert.Equal(bundle.CaBundlePem, forced.Bundle.CaBundlePem);
        Assert.NotEqual(bundle.ServingCertificatePem, forced.Bundle.ServingCertificatePem);
    }

    [Fact]
    public void The_bundle_round_trips_through_secret_data_and_partial_data_is_no_bundle()
    {
        var bundle = CertificateRotation.Renew(null, Names, Now).Bundle;
        var data = bundle.ToSecretData();
        Assert.Equal(["ca.crt", "ca.key", "tls.crt", "tls.key"], data.Keys.Order(StringComparer.Ordinal));
        var read = WebhookTlsBundle.FromSecretData(data)!;
        Assert.Equal(bundle.ServingCertificatePem, read.ServingCertificatePem);
        data.Remove("ca.key");
        Assert.Null(WebhookTlsBundle.FromSecretData(data));
        Assert.Null(WebhookTlsBundle.FromSecretData(null));
    }

    [Fact]
    public void A_serving_certificate_never_outlives_its_CA()
    {
        var (caPem, caKey) = WebhookCertificateAuthority.CreateCa(Now);
        var (servingPem, _) = WebhookCertificateAuthority.IssueServing(caPem, caKey, Names, Now.AddDays(700));
        using var serving = Pem.Certificates(servingPem)[0];
        using var ca = Pem.Certificates(caPem)[0];
        Assert.Equal(ca.NotAfter, serving.NotAfter);
    }
}
