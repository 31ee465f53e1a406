namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The webhook in the running operator: its own CA in a Secret, the CA bundle written into the
/// ValidatingWebhookConfiguration, HTTPS trusted through that CA alone, rotation without restart, TLS 1.2+
/// only, and decisions from the policies the informers see.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string OperatorNamespace = "eks-hardening-system";
    private const string Host = "eks-hardening-webhook.eks-hardening-system.svc";
    private static readonly WebhookOptions Options = new() { Namespace = OperatorNamespace };

    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        _bed.Emulator.Seed(new V1Namespace { Metadata = new() { Name = OperatorNamespace } });
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task The_operator_serves_admission_over_https_from_its_own_CA_and_rotates_without_restart()
    {
        await _bed.Client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(WebhookConfigurationBuilder.Build(Options));
        var port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        var health = OperatorTestbed.HttpAddress(app, port);
        using var plain = new HttpClient { BaseAddress = health };
        await Eventually.True(async () => (await plain.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode, "ready: caches synced and webhook certificate loaded");

        // The Secret holds the CA; the configuration's caBundle is that CA; the listener serves the Secret's certificate.
        var secret = _bed.Emulator.Get<V1Secret>(OperatorNamespace, "eks-hardening-webhook-tls")!;
        Assert.Equal("kubernetes.io/tls", secret.Type);
        var bundle = WebhookTlsBundle.FromSecretData(secret.Data)!;
        var trusted = bundle.CaCertificates();
        // The caBundle patch follows the certificate's creation; it need not have landed when readiness turns true.
        await Eventually.True(() => _bed.Emulator.Get<V1ValidatingWebhookConfiguration>("eks-hardening")?.Webhooks.All(w => w.ClientConfig.CaBundle is not null) == true,
            "the caBundle is written into the webhook configuration");
        var configuration = _bed.Emulator.Get<V1ValidatingWebhookConfiguration>("eks-hardening")!;
        Assert.All(configuration.Webhooks, w => Assert.Equal(Encoding.UTF8.GetBytes(bundle.CaBundlePem), w.ClientConfig.CaBundle));

        X509Certificate2? served = null;
        using var client = WebhookClient.Create(trusted, Host, port, c => served = c);
        var first = await WebhookClient.PostReviewAsync(client, WebhookClient.Review("Pod", Compliant));
        Assert.True(first.GetProperty("allowed").GetBoolean());
        using (var expected = bundle.ServingCertificate()!) Assert.Equal(expected.Thumbprint, served!.Thumbprint);
        var firstThumbprint = served.Thumbprint;

        // Rotate in the running process; a new connection gets the new certificate, trusted through the same CA.
        var certificates = app.Services.GetRequiredService<WebhookCertificates>();
        var rotated = await certificates.RotateServingCertificateAsync(CancellationToken.None);
        Assert.Equal(bundle.CaBundlePem, rotated.CaBundlePem);
        X509Certificate2? servedAfter = null;
        using var freshClient = WebhookClient.Create(trusted, Host, port, c => servedAfter = c);
        var second = await WebhookClient.PostReviewAsync(freshClient, WebhookClient.Review("Pod", Compliant));
        Assert.True(second.GetProperty("allowed").GetBoolean());
        Assert.NotEqual(firstThumbprint, servedAfter!.Thumbprint);
        using (var expected = rotated.ServingCertificate()!) Assert.Equal(expected.Thumbprint, servedAfter.Thumbprint);
        var stored = WebhookTlsBundle.FromSecretData(_bed.Emulator.Get<V1Secret>(OperatorNamespace, "eks-hardening-webhook-tls")!.Data)!;
        Assert.Equal(rotated.ServingCertificatePem, stored.ServingCertificatePem);
        // The connection opened before the rotation keeps working.
        Assert.True((await WebhookClient.PostReviewAsync(client, WebhookClient.Review("Pod", Compliant))).GetProperty("allowed").GetBoolean());

        // The webhook port serves /validate only; the health port never serves /validate.
        using var onWebhookPort = await freshClient.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, onWebhookPort.StatusCode);
        using var onHealthPort = await plain.PostAsync(new Uri("/validate", UriKind.Relative), new StringContent(WebhookClient.Review("Pod", Compliant), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, onHealthPort.StatusCode);
    }

    [Fact]
    public async Task An_enforce_policy_in_the_cluster_denies_through_the_running_operator()
    {
        _bed.Emulator.Seed(new V1Namespace { Metadata = new() { Name = "shop", Labels = new Dictionary<string, string> { ["env"] = "prod" } } });
        var port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        var certificates = app.Services.GetRequiredService<WebhookCertificates>();
        var bundle = await certificates.EnsureAsync(CancellationToken.None);
        using var client = WebhookClient.Create(bundle.CaCertificates(), Host, port);

        await _bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: production}
            spec:
              mode: Enforce
              match: {namespaceSelector: {matchLabels: {env: prod}}}
              podSecurity: {level: baseline}
            """);
        JsonElement response = default;
        await Eventually.True(async () => !(response = await WebhookClient.PostReviewAsync(client, WebhookClient.Review("Deployment", Privileged))).GetProperty("allowed").GetBoolean(),
            "the policy reaches the admission context");
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Equal("Deployment shop/web violates ResponsibilityPolicy production (Enforce): pss.privileged at spec.template.spec.containers[0].securityContext.privileged",
            response.GetProperty("status").GetProperty("message").GetString());
        Assert.True((await WebhookClient.PostReviewAsync(client, WebhookClient.Review("Deployment", Compliant))).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task An_enforce_policy_denies_bindings_and_claims_judged_against_the_cached_roles_and_classes()
    {
        const string rbacGroup = "rbac.authorization.k8s.io";
        _bed.Emulator.Seed(new V1Namespace { Metadata = new() { Name = "shop" } });
        _bed.Emulator.Seed(new V1ClusterRole
        {
            ApiVersion = $"{rbacGroup}/v1", Kind = "ClusterRole",
            Metadata = new() { Name = "everything" },
            Rules = [new V1PolicyRule { ApiGroups = ["*"], Resources = ["*"], Verbs = ["*"] }],
        });
        _bed.Emulator.Seed(new V1StorageClass
        {
            ApiVersion = "storage.k8s.io/v1", Kind = "StorageClass",
            Metadata = new() { Name = "gp2", Annotations = new Dictionary<string, string> { ["storageclass.kubernetes.io/is-default-class"] = "true" } },
            Provisioner = "kubernetes.io/aws-ebs",
            Parameters = new Dictionary<string, string> { ["type"] = "gp2" },
        });
        var port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        var bundle = await app.Services.GetRequiredService<WebhookCertificates>().EnsureAsync(CancellationToken.None);
        using var client = WebhookClient.Create(bundle.CaCertificates(), Host, port);
        await _bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: platform}
            spec:
              mode: Enforce
              rbac: {disallowClusterAdminBindings: true, disallowWildcardRoles: true, allowedSubjects: [{kind: Group, name: breakglass}]}
              encryption: {requireEncryptedVolumes: true}
            """);

        V1ClusterRoleBinding Binding(string role, string group) => new()
        {
            ApiVersion = $"{rbacGroup}/v1", Kind = "ClusterRoleBinding",
            Metadata = new() { Name = "ci-admin" },
            RoleRef = new V1RoleRef { ApiGroup = rbacGroup, Kind = "ClusterRole", Name = role },
            Subjects = [new Rbacv1Subject { ApiGroup = rbacGroup, Kind = "Group", Name = group }],
        };

        // cluster-admin is judged by name: decidable as soon as the policy is in force.
        JsonElement response = default;
        await Eventually.True(async () => !(response = await WebhookClient.PostReviewAsync(client,
                WebhookClient.ObjectReview(Binding("cluster-admin", "ci-admins"), rbacGroup, "clusterrolebindings"))).GetProperty("allowed").GetBoolean(),
            "the policy reaches the admission context");
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.StartsWith("ClusterRoleBinding ci-admin violates ResponsibilityPolicy platform (Enforce): rbac.cluster-admin-bound at subjects[0]",
            response.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True((await WebhookClient.PostReviewAsync(client,
            WebhookClient.ObjectReview(Binding("cluster-admin", "breakglass"), rbacGroup, "clusterrolebindings"))).GetProperty("allowed").GetBoolean());

        // A wildcard role and an unencrypted default class are known once the duties' informers have listed them.
        await Eventually.True(async () => !(response = await WebhookClient.PostReviewAsync(client,
                WebhookClient.ObjectReview(Binding("everything", "ci-admins"), rbacGroup, "clusterrolebindings"))).GetProperty("allowed").GetBoolean(),
            "the cached ClusterRole decides rbac.wildcard-role");
        Assert.Contains("rbac.wildcard-role at subjects[0]", response.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        var claim = new V1PersistentVolumeClaim
        {
            ApiVersion = "v1", Kind = "PersistentVolumeClaim",
            Metadata = new() { Name = "data", NamespaceProperty = "shop" },
            Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"] },
        };
        await Eventually.True(async () => !(response = await WebhookClient.PostReviewAsync(client,
                WebhookClient.ObjectReview(claim, "", "persistentvolumeclaims"))).GetProperty("allowed").GetBoolean(),
            "the cached default StorageClass decides encryption.volumes");
        Assert.Equal("PersistentVolumeClaim shop/data violates ResponsibilityPolicy platform (Enforce): encryption.volumes at spec.storageClassName",
            response.GetProperty("status").GetProperty("message").GetString());

        // A role the cache does not hold is not decidable: admitted, with a warning that says why.
        var unknown = await WebhookClient.PostReviewAsync(client, WebhookClient.ObjectReview(Binding("ghost", "ci-admins"), rbacGroup, "clusterrolebindings"));
        Assert.True(unknown.GetProperty("allowed").GetBoolean());
        var warning = Assert.Single(unknown.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.StartsWith("[platform] rbac.wildcard-role: could not be decided: ", warning, StringComparison.Ordinal);
        Assert.Contains("ClusterRole ghost", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_1_1_is_refused_and_tls_1_2_and_1_3_are_served()
    {
        var port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        var bundle = await app.Services.GetRequiredService<WebhookCertificates>().EnsureAsync(CancellationToken.None);
        var trusted = bundle.CaCertificates();

        Assert.Equal(SslProtocols.Tls12, await HandshakeAsync(port, trusted, SslProtocols.Tls12));
        Assert.Equal(SslProtocols.Tls13, await HandshakeAsync(port, trusted, SslProtocols.Tls13));
#pragma warning disable CA5397, SYSLIB0039 // the point of the test: an old protocol must be refused
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(port, trusted, SslProtocols.Tls11));
#pragma warning restore CA5397, SYSLIB0039

        // Whether or not this machine's TLS library would still offer 1.1, the server's answer to a 1.1 ClientHello
        // is a fatal protocol_version alert; the same hello at 1.2 gets a ServerHello.
        var answer11 = await RawHelloAsync(port, 0x0302);
        Assert.Equal(0x15, answer11[0]);        // alert record
        Assert.Equal(2, answer11[5]);           // fatal
        Assert.Equal(70, answer11[6]);          // protocol_version
        var answer12 = await RawHelloAsync(port, 0x0303);
        Assert.Equal(0x16, answer12[0]);        // handshake record
        Assert.Equal(2, answer12[5]);           // ServerHello
    }

    [Fact]
    public async Task A_serving_certificate_near_expiry_in_the_secret_is_renewed_and_the_CA_kept()
    {
        var now = DateTimeOffset.UtcNow;
        var (caPem, caKey) = WebhookCertificateAuthority.CreateCa(now.AddDays(-80));
        var (servingPem, servingKey) = WebhookCertificateAuthority.IssueServing(caPem, caKey, Options.DnsNames, now.AddDays(-80));
        var old = new WebhookTlsBundle(caPem, caKey, servingPem, servingKey);
        _bed.Emulator.Seed(new V1Secret
        {
            ApiVersion = "v1", Kind = "Secret",
            Metadata = new() { Name = Options.SecretName, NamespaceProperty = OperatorNamespace },
            Type = "kubernetes.io/tls",
            Data = old.ToSecretData(),
        });

        var holder = new ServingCertificateHolder();
        var certificates = Manager(holder);
        await certificates.EnsureAsync(CancellationToken.None);

        var stored = WebhookTlsBundle.FromSecretData(_bed.Emulator.Get<V1Secret>(OperatorNamespace, Options.SecretName)!.Data)!;
        Assert.Equal(caPem, stored.CaBundlePem);
        Assert.NotEqual(servingPem, stored.ServingCertificatePem);
        Assert.InRange(holder.Current!.NotAfter.ToUniversalTime(), now.UtcDateTime.AddDays(89), now.UtcDateTime.AddDays(91));
        Assert.Equal(1, certificates.SecretWrites);

        await certificates.EnsureAsync(CancellationToken.None);
        Assert.Equal(1, certificates.SecretWrites);
        Assert.Equal(1, holder.Generation);
    }

    [Fact]
    public async Task Two_replicas_end_up_serving_certificates_of_one_CA()
    {
        // Both start on an empty namespace at once.
        var holderA = new ServingCertificateHolder();
        var holderB = new ServingCertificateHolder();
        var a = Manager(holderA);
        var b = Manager(holderB);
        await Task.WhenAll(a.EnsureAsync(CancellationToken.None), b.EnsureAsync(CancellationToken.None));
        var stored = WebhookTlsBundle.FromSecretData(_bed.Emulator.Get<V1Secret>(OperatorNamespace, Options.SecretName)!.Data)!;
        Assert.Equal(holderA.Current!.Thumbprint, holderB.Current!.Thumbprint);
        Assert.True(WebhookClient.TrustedBy(holderA.Current, stored.CaCertificates()));

        // A replica that saw no Secret and lost the create race (409) uses the winner's.
        var holderC = new ServingCertificateHolder();
        var c = Manager(holderC);
        _bed.Emulator.Faults.FailRequests("get", 404, resource: "secrets", times: 1);
        await c.EnsureAsync(CancellationToken.None);
        Assert.Equal(1, c.LostRaces);
        Assert.Equal(0, c.SecretWrites);
        Assert.Equal(holderA.Current.Thumbprint, holderC.Current!.Thumbprint);
        Assert.Equal(stored.CaBundlePem, WebhookTlsBundle.FromSecretData(_bed.Emulator.Get<V1Secret>(OperatorNamespace, Options.SecretName)!.Data)!.CaBundlePem);
    }

    [Fact]
    public async Task The_ca_bundle_is_written_into_every_webhook_only_when_it_differs()
    {
        var manager = Manager(new ServingCertificateHolder());
        await manager.EnsureAsync(CancellationToken.None);   // no configuration yet: nothing to patch, no error
        Assert.Equal(0, manager.CaBundlePatches);

        var configuration = WebhookConfigurationBuilder.Build(Options);
        var second = KubernetesJson.Deserialize<V1ValidatingWebhook>(KubernetesJson.Serialize(configuration.Webhooks[0]));
        second.Name = "pods.eks-hardening.io";
        second.ClientConfig.CaBundle = Encoding.UTF8.GetBytes("stale");
        configuration.Webhooks.Add(second);
        await _bed.Client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(configuration);

        var bundle = await manager.EnsureAsync(CancellationToken.None);
        var written = _bed.Emulator.Get<V1ValidatingWebhookConfiguration>("eks-hardening")!;
        Assert.All(written.Webhooks, w => Assert.Equal(Encoding.UTF8.GetBytes(bundle.CaBundlePem), w.ClientConfig.CaBundle));
        Assert.Equal(1, manager.CaBundlePatches);

        await manager.EnsureAsync(CancellationToken.None);
        Assert.Equal(1, manager.CaBundlePatches);
    }

    [Fact]
    public async Task With_a_certificate_directory_the_mounted_certificate_is_served_and_no_secret_is_made()
    {
        var directory = Directory.CreateTempSubdirectory("eks-hardening-certs-").FullName;
        try
        {
            var bundle = CertificateRotation.Renew(null, Options.DnsNames, DateTimeOffset.UtcNow).Bundle;
            await File.WriteAllTextAsync(Path.Combine(directory, "tls.crt"), bundle.ServingCertificatePem);
            await File.WriteAllTextAsync(Path.Combine(directory, "tls.key"), bundle.ServingKeyPem);
            var port = WebhookClient.FreePort();
            var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--webhook-namespace", OperatorNamespace, "--webhook-cert-dir", directory]);
            var holder = app.Services.GetRequiredService<ServingCertificateHolder>();
            await Eventually.True(() => holder.IsLoaded, "the mounted certificate is loaded");

            X509Certificate2? served = null;
            using var client = WebhookClient.Create(bundle.CaCertificates(), Host, port, c => served = c);
            Assert.True((await WebhookClient.PostReviewAsync(client, WebhookClient.Review("Pod", Compliant))).GetProperty("allowed").GetBoolean());
            using (var expected = bundle.ServingCertificate()!) Assert.Equal(expected.Thumbprint, served!.Thumbprint);
            Assert.Null(_bed.Emulator.Get<V1Secret>(OperatorNamespace, Options.SecretName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private WebhookCertificates Manager(ServingCertificateHolder holder) =>
        new(_bed.Client, Options, holder, TimeProvider.System, NullLogger<WebhookCertificates>.Instance);

    private const string Compliant = """{"containers": [{"name": "web", "image": "registry.example.com/shop/web:1.4.2"}]}""";
    private const string Privileged = """{"containers": [{"name": "web", "image": "registry.example.com/shop/web:1.4.2", "securityContext": {"privileged": true}}]}""";

    private static async Task<SslProtocols> HandshakeAsync(int port, IReadOnlyList<X509Certificate2> trusted, SslProtocols protocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => certificate is X509Certificate2 leaf && WebhookClient.TrustedBy(leaf, trusted));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Host, EnabledSslProtocols = protocol });
        return tls.SslProtocol;
    }

    /// <summary>Sends a minimal ClientHello offering exactly <paramref name="version"/> and returns the first bytes of the answer.</summary>
    private static async Task<byte[]> RawHelloAsync(int port, ushort version)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(ClientHello(version));
        var answer = new byte[7];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < answer.Length)
        {
            var n = await stream.ReadAsync(answer.AsMemory(read), timeout.Token);
            if (n == 0) break;
            read += n;
        }

        Assert.True(read == answer.Length, $"the server answered {read} bytes");
        return answer;
    }

    private static byte[] ClientHello(ushort version)
    {
        static byte[] U16(int v) => [(byte)(v >> 8), (byte)v];
        var name = Encoding.ASCII.GetBytes(Host);
        var extensions = new List<byte>();
        void Extension(int type, byte[] data)
        {
            extensions.AddRange(U16(type));
            extensions.AddRange(U16(data.Length));
            extensions.AddRange(data);
        }

        Extension(0x0000, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]);   // server_name
        Extension(0x000a, [.. U16(4), 0x00, 0x17, 0x00, 0x1d]);                           // supported_groups: secp256r1, x25519
        Extension(0x000b, [1, 0]);                                                          // ec_point_formats: uncompressed
        Extension(0x000d, [.. U16(6), 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]);                 // signature_algorithms

        ushort[] suites = [0xC02B, 0xC02F, 0xC009, 0xC013, 0x002F];
        var body = new List<byte>();
        body.AddRange(U16(version));
        body.AddRange(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        body.Add(0);                                                                        // no session id
        body.AddRange(U16(suites.Length * 2));
        foreach (var suite in suites) body.AddRange(U16(suite));
        body.AddRange([1, 0]);                                                              // compression: null
        body.AddRange(U16(extensions.Count));
        body.AddRange(extensions);

        byte[] handshake = [1, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count, .. body];
        return [0x16, 0x03, 0x01, .. U16(handshake.Length), .. handshake];
    }
}
