using StubCluster = EksHardening.AwsStub.Eks.EksCluster;

namespace EksHardening.Operator.FaultTests;

/// <summary>How the operator gets its AWS credentials in a secret-leak run.</summary>
public enum CredentialSource
{
    /// <summary>AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.</summary>
    EnvironmentKeys,

    /// <summary>IRSA: AWS_ROLE_ARN and a web identity token file, exchanged at STS.</summary>
    WebIdentityTokenFile,
}

/// <summary>
/// Item 7: secret values, tokens and credentials are seeded into objects (Secrets, env values, args, annotations), the
/// environment (AWS keys, session token, a web identity token file, the kubeconfig's bearer token) and AWS's answers
/// (a signature error that echoes the signed request, as AWS does). The operator runs with Trace logging, serves an
/// admission review of the secret-bearing pod, and <c>scan --aws</c> runs over the same objects. Not one of the secrets
/// may appear — as it is or base64-encoded — in any log line, Event, the policy's status or the scan's output.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SecretLeakTests(ITestOutputHelper output)
{
    private const string OperatorNamespace = "eks-hardening-system";
    private const string WebhookHost = "eks-hardening-webhook.eks-hardening-system.svc";

    private static string Secret(string purpose) => $"leak-{purpose}-{Guid.NewGuid():N}";

    [Theory]
    [InlineData(CredentialSource.EnvironmentKeys)]
    [InlineData(CredentialSource.WebIdentityTokenFile)]
    public async Task No_secret_reaches_a_log_line_an_Event_the_status_or_scan_output(CredentialSource source)
    {
        var secrets = new Dictionary<string, string>
        {
            ["Secret data"] = Secret("secret-data"),
            ["Secret stringData"] = Secret("string-data"),
            ["ConfigMap value"] = Secret("configmap"),
            ["env value"] = Secret("env-value"),
            ["container args"] = Secret("args"),
            ["annotation"] = Secret("annotation"),
            ["last-applied annotation"] = Secret("last-applied"),
            ["kubeconfig bearer token"] = Secret("bearer-token"),
        };
        await using var aws = await AwsEndpointStub.StartNewAsync();
        await using var wrongKeys = await AwsEndpointStub.StartNewAsync();   // EKS: knows the key with another secret, so it answers SignatureDoesNotMatch
        await using var bed = await OperatorTestbed.StartAsync();
        var directory = Path.GetDirectoryName(bed.KubeconfigPath)!;

        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = aws.BaseUrl,
            ["AWS_ENDPOINT_URL_EKS"] = wrongKeys.BaseUrl,
            ["AWS_REGION"] = aws.Region,
            ["Logging__LogLevel__Default"] = "Trace",
        };
        if (source == CredentialSource.EnvironmentKeys)
        {
            var keys = new StubCredentials("AKIA" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(), Secret("secret-key")[..40], "IQoJb3JpZ2luX2Vj" + Secret("session-token"));
            aws.AddAccessKey(keys, "operator");
            wrongKeys.AddAccessKey(keys with { SecretAccessKey = Secret("other-secret")[..40] }, "operator");
            secrets["AWS_SECRET_ACCESS_KEY"] = keys.SecretAccessKey;
            secrets["AWS_SESSION_TOKEN"] = keys.SessionToken!;
            environment["AWS_ACCESS_KEY_ID"] = keys.AccessKeyId;
            environment["AWS_SECRET_ACCESS_KEY"] = keys.SecretAccessKey;
            environment["AWS_SESSION_TOKEN"] = keys.SessionToken;
        }
        else
        {
            var roleArn = $"arn:aws:iam::{aws.AccountId}:role/eks-hardening";
            var token = aws.Sts.CreateWebIdentityToken("system:serviceaccount:eks-hardening-system:eks-hardening");
            aws.Sts.AllowWebIdentity(new AwsStub.Sts.WebIdentityGrant { RoleArn = roleArn, Token = token });
            var tokenFile = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(tokenFile, token);
            secrets["web identity token"] = token;
            environment["AWS_ROLE_ARN"] = roleArn;
            environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile;
            environment["AWS_ROLE_SESSION_NAME"] = "eks-hardening";
        }

        wrongKeys.Eks.AddCluster(new StubCluster { Name = "prod" });
        var kubeconfig = Path.Combine(directory, "kubeconfig-secret");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(bed.KubeconfigPath)).Replace("token: test-token", $"token: {secrets["kubeconfig bearer token"]}", StringComparison.Ordinal));
        var objects = SecretBearingObjects(secrets);
        bed.Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = OperatorNamespace } });
        bed.Emulator.SeedMany(objects);
        var policyYaml = $"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {"{"}name: leak{"}"}
            spec:
              mode: Warn
              match: {"{"}namespaceSelector: {"{"}matchLabels: {"{"}env: prod{"}"}{"}"}{"}"}
              podSecurity: {"{"}level: restricted, requireResourceLimits: true{"}"}
              imageScanning: {"{"}disallowLatestTag: true, requireScanOnPush: true, vulnerabilityThresholds: {"{"}critical: 0{"}"}{"}"}
              irsa: {"{"}disallowDefaultServiceAccount: true, requireScopedTrustPolicy: true{"}"}
              cluster: {"{"}name: prod, region: {aws.Region}, requireSecretsEncryption: true{"}"}
            """;
        await bed.CreatePolicyAsync(policyYaml);

        var port = WebhookClient.FreePort();
        await using var process = OperatorProcess.Start(
            ["run", "--kubeconfig", kubeconfig, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0",
             "--webhook-port", port.ToString(CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace],
            environment);

        // The operator has evaluated (with AWS's answers, errors included), sent Events and made its webhook certificate.
        await Eventually.True(() => bed.Policy("leak")?.Status?.Summary is { Resources: > 0 }
            && bed.Policy("leak")!.Status.Conditions!.Any(c => c.Type == "AwsReachable"), "status with AwsReachable written", TimeSpan.FromSeconds(90));
        await Eventually.True(() => bed.Emulator.List<Corev1Event>("shop").Count > 0, "violation Events sent", TimeSpan.FromSeconds(30));
        await Eventually.True(() => bed.Emulator.Get<V1Secret>(OperatorNamespace, "eks-hardening-webhook-tls") is not null, "webhook certificate Secret", TimeSpan.FromSeconds(30));
        var tls = WebhookTlsBundle.FromSecretData(bed.Emulator.Get<V1Secret>(OperatorNamespace, "eks-hardening-webhook-tls")!.Data)!;
        secrets["webhook CA key"] = tls.CaKeyPem.Split('\n')[1];
        secrets["webhook serving key"] = tls.ServingKeyPem.Split('\n')[1];

        // An admission review of the secret-bearing pod, as the API server would send it.
        using var client = WebhookClient.Create(tls.CaCertificates(), WebhookHost, port);
        var pod = objects.OfType<V1Pod>().Single();
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = Guid.NewGuid().ToString(),
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = "shop",
                ["name"] = pod.Metadata.Name,
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = "alice" },
                ["object"] = JsonNode.Parse(KubernetesJson.Serialize(pod)),
            },
        };
        string admission = "";
        await Eventually.True(async () =>
        {
            try
            {
                using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));
                admission = await response.Content.ReadAsStringAsync();
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;   // the listener is still loading its certificate
            }
        }, "the webhook answers", TimeSpan.FromSeconds(30));

        var (exitCode, _) = await process.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exitCode);

        // scan --aws over the same objects, with the same environment.
        var manifests = Path.Combine(directory, "objects.yaml");
        await File.WriteAllTextAsync(manifests, string.Join("\n---\n", objects.Select(o => KubernetesYaml.Serialize(o)).Append(policyYaml)));
        var scans = new List<string>();
        foreach (var format in new[] { "table", "json", "sarif" })
        {
            await using var scan = OperatorProcess.Start(["scan", "-f", manifests, "--aws", "--region", aws.Region, "-o", format], environment);
            await Eventually.True(() => scan.HasExited, $"scan -o {format} finishes", TimeSpan.FromSeconds(120));
            scans.AddRange(scan.Output);
        }

        if (source == CredentialSource.WebIdentityTokenFile)
        {
            Assert.NotEmpty(aws.Sts.Issued);
            foreach (var (issued, i) in aws.Sts.Issued.Select((c, i) => (c, i)))
            {
                secrets[$"STS-issued secret key {i}"] = issued.Credentials.SecretAccessKey;
                secrets[$"STS-issued session token {i}"] = issued.Credentials.SessionToken!;
            }
        }

        var captured = new Dictionary<string, string>
        {
            ["operator log"] = string.Join('\n', process.Output),
            ["Events"] = string.Join('\n', bed.Emulator.List<Corev1Event>().Select(e => KubernetesJson.Serialize(e))),
            ["policy status"] = KubernetesJson.Serialize(bed.Policy("leak")!.Status),
            ["admission response"] = admission,
            ["scan output"] = string.Join('\n', scans),
        };

        // The run did what it is meant to: Trace logging on, AWS errors met, Events and warnings produced.
        Assert.Contains(process.Output, l => l.StartsWith("dbug:", StringComparison.Ordinal) || l.StartsWith("trce:", StringComparison.Ordinal));
        if (source == CredentialSource.EnvironmentKeys)
        {
            Assert.Contains(process.Output, l => l.Contains("InvalidSignatureException", StringComparison.Ordinal));
            Assert.Contains(wrongKeys.Requests, r => r.ErrorCode == "InvalidSignatureException");
        }

        Assert.Contains("warnings", admission, StringComparison.Ordinal);

        var leaks = (from secret in secrets
                     from form in new[] { secret.Value, Convert.ToBase64String(Encoding.UTF8.GetBytes(secret.Value)) }
                     from place in captured
                     where place.Value.Contains(form, StringComparison.Ordinal)
                     select $"{secret.Key} in the {place.Key}").Distinct().ToList();
        Assert.True(leaks.Count == 0, "secrets leaked: " + string.Join("; ", leaks));
        output.WriteLine($"{secrets.Count} secrets, {captured.Sum(c => c.Value.Length)} characters captured ({process.Output.Count} log lines), none leaked");
    }

    private static List<object> SecretBearingObjects(Dictionary<string, string> secrets) =>
    [
        new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["env"] = "prod" } } },
        new V1Secret
        {
            ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "shop" },
            Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes(secrets["Secret data"]) },
            StringData = new Dictionary<string, string> { ["token"] = secrets["Secret stringData"] },
        },
        new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "shop" }, Data = new Dictionary<string, string> { ["dsn"] = secrets["ConfigMap value"] } },
        new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = "api", NamespaceProperty = "shop",
                Annotations = new Dictionary<string, string>
                {
                    ["vault.example.com/secret"] = secrets["annotation"],
                    ["kubectl.kubernetes.io/last-applied-configuration"] = $"{{\"env\":\"{secrets["last-applied annotation"]}\"}}",
                },
            },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "api", Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:latest",
                        Args = ["--db-password", secrets["container args"]],
                        Env =
                        [
                            new V1EnvVar { Name = "DB_PASSWORD", Value = secrets["env value"] },
                            new V1EnvVar { Name = "API_TOKEN", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "db", Key = "token" } } },
                        ],
                        SecurityContext = new V1SecurityContext { Privileged = true },
                    },
                ],
            },
        },
    ];
}
