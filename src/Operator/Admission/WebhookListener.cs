using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EksHardening.Operator.Admission;

/// <summary>The webhook's HTTPS listener: TLS 1.2 and 1.3 only, the certificate read from a holder at each handshake.</summary>
public static class WebhookListener
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a client may take to send its request headers (Kestrel's default is 30 s): the API server sends them at once.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Server-wide limits that bound what a slow or greedy client can hold: headers within
    /// <see cref="RequestHeadersTimeout"/>, and no body larger than an AdmissionReview may be (the other ports take none).
    /// </summary>
    public static void ApplyLimits(this KestrelServerOptions kestrel, WebhookOptions webhook)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(webhook);
        kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
        kestrel.Limits.MaxRequestBodySize = webhook.MaxBodyBytes;
    }

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
