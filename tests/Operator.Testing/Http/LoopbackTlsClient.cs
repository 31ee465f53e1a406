namespace EksHardening.Operator.Testing.Http;

/// <summary>
/// An HttpClient that calls a TLS server the way the API server calls a webhook: by a DNS name (connected to
/// 127.0.0.1 underneath), trusting only the given CAs and checking the name. Shared by the unit, integration and
/// fault tests.
/// </summary>
public static class LoopbackTlsClient
{
    public static HttpClient Create(IReadOnlyList<X509Certificate2> trusted, string host, int port,
        Action<X509Certificate2>? onServerCertificate = null, SslProtocols protocols = SslProtocols.None)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                    var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    onServerCertificate?.Invoke(leaf);
                    return TrustedBy(leaf, trusted);
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{host}:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Chain validation against <paramref name="trusted"/> alone; the system store plays no part.</summary>
    public static bool TrustedBy(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> trusted)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var ca in trusted) chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(leaf);
    }
}
