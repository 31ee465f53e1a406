namespace EksHardening.Operator.Tests.Admission;

public sealed class MountedCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("eks-hardening-certs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Files_are_loaded_and_reloaded_only_when_their_content_changes()
    {
        var holder = new ServingCertificateHolder();
        var mounted = new MountedCertificate(new WebhookOptions { CertificateDirectory = _directory }, holder, TimeProvider.System, NullLogger<MountedCertificate>.Instance);

        Assert.False(mounted.TryReload());   // nothing mounted yet
        Assert.False(holder.IsLoaded);

        var first = Write(CertificateRotation.Renew(null, ["hook.ops.svc"], Now).Bundle);
        Assert.True(mounted.TryReload());
        Assert.Equal(first, holder.Current!.Thumbprint);
        Assert.False(mounted.TryReload());

        // cert-manager renews: the new pair replaces the old one without a restart.
        var second = Write(CertificateRotation.Renew(null, ["hook.ops.svc"], Now).Bundle);
        Assert.True(mounted.TryReload());
        Assert.Equal(second, holder.Current!.Thumbprint);
        Assert.Equal(2, holder.Generation);
    }

    [Fact]
    public void A_half_written_pair_keeps_the_current_certificate()
    {
        var holder = new ServingCertificateHolder();
        var mounted = new MountedCertificate(new WebhookOptions { CertificateDirectory = _directory }, holder, TimeProvider.System, NullLogger<MountedCertificate>.Instance);
        var good = Write(CertificateRotation.Renew(null, ["hook.ops.svc"], Now).Bundle);
        Assert.True(mounted.TryReload());

        var other = CertificateRotation.Renew(null, ["hook.ops.svc"], Now).Bundle;
        File.WriteAllText(Path.Combine(_directory, "tls.crt"), other.ServingCertificatePem);   // key not updated yet
        Assert.False(mounted.TryReload());
        Assert.Equal(good, holder.Current!.Thumbprint);

        File.WriteAllText(Path.Combine(_directory, "tls.crt"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
        Assert.False(mounted.TryReload());
        Assert.Equal(good, holder.Current!.Thumbprint);
    }

    private string Write(WebhookTlsBundle bundle)
    {
        File.WriteAllText(Path.Combine(_directory, "tls.crt"), bundle.ServingCertificatePem + bundle.CaBundlePem);
        File.WriteAllText(Path.Combine(_directory, "tls.key"), bundle.ServingKeyPem);
        using var certificate = bundle.ServingCertificate()!;
        return certificate.Thumbprint;
    }
}
