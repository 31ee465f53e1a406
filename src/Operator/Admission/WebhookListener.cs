using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EksHardening.Operator.Admission;

/// <summary>The webhook's HTTPS listener: TLS 1.2 and 1.3 only, the certificate read from a holder at each handshake.</summary>
public static class WebhookListener
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public static void UseWebhookTls(this ListenOptions listen, ServingCertificateHolder holder)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(holder);
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ServerCertificateSelector = (_, _) => holder.Current,
            ClientCertificateMode = ClientCertificateMode.NoCertificate,
            CheckCertificateRevocation = false,
            HandshakeTimeout = HandshakeTimeout,
        });
    }
}
