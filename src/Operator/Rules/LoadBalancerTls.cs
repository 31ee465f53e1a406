namespace EksHardening.Operator.Rules;

/// <summary>One reason traffic reaches a load balancer unencrypted, with the field to change.</summary>
public sealed record PlainTraffic(string Message, string Path);

/// <summary>
/// Whether Ingresses and LoadBalancer Services are served with TLS at the load balancer. The AWS Load Balancer
/// Controller's listeners are computed as the controller computes them (kubernetes-sigs/aws-load-balancer-controller,
/// pkg/ingress/model_build_listener.go and pkg/service/model_build_listener.go).
/// </summary>
public static class LoadBalancerTls
{
    public const string AlbPrefix = "alb.ingress.kubernetes.io/";
    public const string CertificateArnAnnotation = AlbPrefix + "certificate-arn";
    public const string ListenPortsAnnotation = AlbPrefix + "listen-ports";
    public const string SslRedirectAnnotation = AlbPrefix + "ssl-redirect";
    public const string IngressClassAnnotation = "kubernetes.io/ingress.class";
    public const string NlbCertificateAnnotation = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
    public const string NlbTlsPortsAnnotation = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";

    /// <summary>The note of an ALB Ingress whose HTTPS listeners take their certificate from ACM discovery.</summary>
    public const string CertificateDiscoveryNote =
        "HTTPS listeners without a certificate-arn annotation: the controller finds the certificate in ACM by the Ingress's hosts (certificate discovery)";

    /// <summary>An Ingress of the AWS Load Balancer Controller: class alb (spec or the legacy annotation), or no class and alb.ingress.kubernetes.io annotations.</summary>
    public static bool IsAlb(V1Ingress ingress)
    {
        var annotations = ingress.Metadata?.Annotations;
        var className = ingress.Spec?.IngressClassName
                        ?? (annotations is not null && annotations.TryGetValue(IngressClassAnnotation, out var legacy) ? legacy : null);
        if (className is not null) return className == "alb";
        return annotations?.Keys.Any(k => k.StartsWith(AlbPrefix, StringComparison.Ordinal)) == true;
    }

    /// <summary>What of an Ingress is served without TLS; empty when all of it has TLS. <paramref name="note"/> explains a pass that rests on something unseen.</summary>
    /// <remarks>Judged for every Ingress at every evaluation: its name and paths are spelt only in a fault, so a passing
    /// Ingress outside an ALB allocates nothing; an ALB's still parses its annotations.</remarks>
    public static IReadOnlyList<PlainTraffic> IngressFaults(V1Ingress ingress, out string? note)
    {
        note = null;
        if (!IsAlb(ingress))
        {
            return ingress.Spec?.Tls is { Count: > 0 }
                ? []
                : [new PlainTraffic($"{NameOf(ingress)} has no spec.tls, so its controller serves it over plain HTTP", "spec.tls")];
        }

        return AlbFaults(ingress, out note);
    }

    private static string NameOf(V1Ingress ingress) => $"Ingress {ClusterSnapshot.NamespaceOf(ingress.Metadata)}/{ingress.Metadata?.Name}";

    private const string ListenPortsPath = "metadata.annotations[" + ListenPortsAnnotation + "]";
    private const string SslRedirectPath = "metadata.annotations[" + SslRedirectAnnotation + "]";

    private static IReadOnlyList<PlainTraffic> AlbFaults(V1Ingress ingress, out string? note)
    {
        note = null;
        var annotations = ingress.Metadata?.Annotations ?? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        var hasCertificate = annotations.TryGetValue(CertificateArnAnnotation, out var arns) && arns.Split(',').Any(a => a.Trim().Length > 0);
        Dictionary<int, string> listeners;
        if (!annotations.TryGetValue(ListenPortsAnnotation, out var rawListenPorts))
        {
            // The controller's default: HTTPS:443 when a certificate is named, else HTTP:80 (spec.tls alone does not change it).
            listeners = hasCertificate ? new() { [443] = "HTTPS" } : new() { [80] = "HTTP" };
        }
        else if (ParseListenPorts(rawListenPorts) is { } parsed)
        {
            listeners = parsed;
        }
        else
        {
            return [new PlainTraffic($"{NameOf(ingress)}: {ListenPortsAnnotation} \"{rawListenPorts}\" is not a list such as [{{\"HTTPS\": 443}}], which the controller rejects, so its listeners are unknown", ListenPortsPath)];
        }

        var https = PortsOf(listeners, "HTTPS");
        var http = PortsOf(listeners, "HTTP");
        if (https.Count == 0)
        {
            var why = annotations.ContainsKey(ListenPortsAnnotation)
                ? $"{ListenPortsAnnotation} lists no HTTPS port"
                : $"without {CertificateArnAnnotation} or {ListenPortsAnnotation} the controller listens on HTTP:80 only{(ingress.Spec?.Tls is { Count: > 0 } ? " (spec.tls does not make an HTTPS listener on an ALB)" : "")}";
            return [new PlainTraffic($"{NameOf(ingress)} (AWS Load Balancer Controller) serves plain HTTP on port {string.Join(", ", http)}: {why}", annotations.ContainsKey(ListenPortsAnnotation) ? ListenPortsPath : "metadata.annotations")];
        }

        if (http.Count > 0)
        {
            if (!annotations.TryGetValue(SslRedirectAnnotation, out var redirect))
            {
                return [new PlainTraffic($"{NameOf(ingress)} (AWS Load Balancer Controller) serves plain HTTP on port {string.Join(", ", http)} beside HTTPS without {SslRedirectAnnotation}", SslRedirectPath)];
            }

            if (!int.TryParse(redirect.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var target) || !https.Contains(target))
            {
                return [new PlainTraffic($"{NameOf(ingress)}: {SslRedirectAnnotation} \"{redirect}\" is not one of its HTTPS listen ports ({string.Join(", ", https)}), so HTTP port {string.Join(", ", http)} is not redirected", SslRedirectPath)];
            }
        }

        if (!hasCertificate) note = CertificateDiscoveryNote;
        return [];
    }

    /// <summary>The listeners' ports of one protocol, in order.</summary>
    private static List<int> PortsOf(Dictionary<int, string> listeners, string protocol)
    {
        var ports = new List<int>(listeners.Count);
        foreach (var (port, listenerProtocol) in listeners)
        {
            if (listenerProtocol == protocol) ports.Add(port);
        }

        ports.Sort();
        return ports;
    }

    /// <summary>listen-ports: a JSON list of single-entry objects, protocol HTTP or HTTPS to a port in 1..65535; null when the controller would reject it.</summary>
    private static Dictionary<int, string>? ParseListenPorts(string raw)
    {
        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0) return null;
            var listeners = new Dictionary<int, string>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object) return null;
                foreach (var property in entry.EnumerateObject())
                {
                    if (property.Name is not ("HTTP" or "HTTPS") || !property.Value.TryGetInt32(out var port) || port is < 1 or > 65535) return null;
                    listeners[port] = property.Name;
                }
            }

            return listeners;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ports of a LoadBalancer Service without TLS at the load balancer, except <paramref name="allowedPlainPorts"/>. A
    /// port has TLS when a certificate is named and the ssl-ports annotation is absent (every port), "*", or lists the
    /// port by name or number; UDP and SCTP ports cannot carry the load balancer's TLS.
    /// </summary>
    public static List<PlainTraffic> ServiceFaults(V1Service service, IReadOnlyCollection<int> allowedPlainPorts)
    {
        var faults = new List<PlainTraffic>();
        var annotations = service.Metadata?.Annotations ?? new Dictionary<string, string>();
        var name = $"Service {ClusterSnapshot.NamespaceOf(service.Metadata)}/{service.Metadata?.Name}";
        var hasCertificate = annotations.TryGetValue(NlbCertificateAnnotation, out var certificates) && certificates.Split(',').Any(c => c.Trim().Length > 0);
        var tlsPorts = annotations.TryGetValue(NlbTlsPortsAnnotation, out var rawPorts)
            ? rawPorts.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).ToHashSet(StringComparer.Ordinal)
            : [];
        var ports = service.Spec?.Ports ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            if (port is null || allowedPlainPorts.Contains(port.Port)) continue;
            var label = port.Name is { Length: > 0 } portName ? $"port {port.Port} ({portName})" : $"port {port.Port}";
            var protocol = port.Protocol ?? "TCP";
            string? why = null;
            if (protocol != "TCP") why = $"it is {protocol}, which the load balancer cannot wrap in TLS";
            else if (!hasCertificate) why = $"no {NlbCertificateAnnotation} annotation names a certificate";
            else if (tlsPorts.Count > 0 && !tlsPorts.Contains("*") && !tlsPorts.Contains(port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                     && !(port.Name is { Length: > 0 } && tlsPorts.Contains(port.Name)))
            {
                why = $"{NlbTlsPortsAnnotation} \"{rawPorts}\" names neither its number nor its name";
            }

            if (why is not null) faults.Add(new PlainTraffic($"{name} (LoadBalancer) exposes {label} without TLS at the load balancer: {why}", $"spec.ports[{i}]"));
        }

        return faults;
    }
}
