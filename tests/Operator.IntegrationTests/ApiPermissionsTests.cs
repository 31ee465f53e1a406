using EksHardening.Operator.Testing.Kubernetes;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The RBAC proof, code side: the operator, run against the API emulator through every path that calls the API
/// (informers of every kind, those of the rbac, encryption and nodes duties included, status, events, leader election from first Lease to release, webhook certificate
/// Secret create and renewal, caBundle patch, Enforce remediation creating and deleting NetworkPolicies and labelling
/// a namespace), makes only calls declared in <see cref="ApiPermissions"/> — in the declared namespace, on the
/// declared object — and makes every declared call, so the chart grants nothing unused. (The chart test
/// ChartRbacTests proves the chart grants exactly that set.)
/// </summary>
public sealed class ApiPermissionsTests : IAsyncLifetime
{
    private const string OperatorNamespace = "eks-hardening";

    /// <summary>Enforce over the prod namespaces: creates default-deny and IMDS policies and labels prod-b.</summary>
    private const string EnforcePolicy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: enforce}
        spec:
          mode: Enforce
          match:
            namespaceSelector: {matchLabels: {env: prod}}
          imageScanning: {disallowLatestTag: true}
          networkPolicies: {requireDefaultDeny: [Ingress], requirePodCoverage: true, blockInstanceMetadata: true, remediate: true}
          podSecurity: {level: restricted, requireNamespaceLabel: true}
          rbac: {disallowClusterAdminBindings: true, disallowSystemMastersMapping: true}
          encryption: {requireEncryptedVolumes: true, requireTlsIngress: true}
          nodes: {maxKubeletSkew: 1}
        """;

    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        // Everything the test itself sets up goes in before the request log is cleared, or directly (no HTTP), so
        // that every request in the log is the operator's.
        _bed.Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = OperatorNamespace } });
        _bed.Emulator.SeedMany(MixedWorkloads.Namespaces());
        _bed.Emulator.SeedMany(MixedWorkloads.Workloads());
        _bed.Emulator.Seed(WebhookConfigurationBuilder.Build(new WebhookOptions { Namespace = OperatorNamespace }));
        // The wgpolicyk8s.io CRDs, so that the PolicyReport writer runs (it asks discovery and writes nothing without them).
        var fixture = await File.ReadAllTextAsync(RepositoryPaths.Of("tests", "Fixtures", "wgpolicyk8s.io_v1alpha2.yaml"));
        foreach (var crd in Crds.Read(fixture)) _bed.Emulator.Seed(crd);

        await _bed.CreatePolicyAsync(EnforcePolicy);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task The_operator_calls_exactly_the_declared_API_permissions()
    {
        _bed.Emulator.ClearRequests();
        var app = await _bed.StartOperatorAsync("replica-a", leaderElection: true, leaseDuration: "3s", extraArgs:
        [
            "--lease-namespace", OperatorNamespace, "--aws", "false",
            "--webhook-port", WebhookClient.FreePort().ToString(CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace,
        ]);
        var options = app.Services.GetRequiredService<OperatorOptions>();
        var counters = _bed.Counters(app);
        var certificates = app.Services.GetRequiredService<WebhookCertificates>();

        // Status, events, remediation (create, label), webhook Secret and caBundle, a renewed Lease.
        await Eventually.True(() => counters.StatusWrites > 0 && _bed.Policy("enforce")?.Status?.Summary is not null, "status written");
        await Eventually.True(() => counters.EventsSent > 0, "an event sent");
        await Eventually.True(() => ManagedPolicies("prod-b").Count == 2, "default-deny-ingress and the IMDS policy created in prod-b");
        await Eventually.True(() => _bed.Emulator.Get<V1Namespace>("prod-b")!.Metadata.Labels.ContainsKey("pod-security.kubernetes.io/enforce"), "prod-b labelled");
        await Eventually.True(() => certificates.SecretWrites > 0 && certificates.CaBundlePatches > 0, "webhook Secret created and caBundle written");
        await Eventually.True(() => Observed("update", "leases") > 0, "the Lease renewed", TimeSpan.FromSeconds(10));

        // PolicyReports: created per namespace; a workload removed from prod-a changes (patches) its report.
        await Eventually.True(() => Observed("create", "policyreports") > 0 && Observed("create", "clusterpolicyreports") > 0, "reports created");
        var removed = _bed.Emulator.List<V1Deployment>("prod-a")[0];
        _bed.Emulator.Delete("apps/v1", "Deployment", "prod-a", removed.Metadata.Name);
        await Eventually.True(() => Observed("patch", "policyreports") > 0, "prod-a's report patched");

        // Renewal replaces the Secret.
        await certificates.RotateServingCertificateAsync(CancellationToken.None);

        // prod-b leaves the policy's scope: the NetworkPolicies the operator created there are deleted.
        var prodB = _bed.Emulator.Get<V1Namespace>("prod-b")!;
        prodB.Metadata.Labels["env"] = "staging";
        _bed.Emulator.Seed(prodB);
        await Eventually.True(() => ManagedPolicies("prod-b").Count == 0, "the operator's NetworkPolicies in prod-b deleted");
        await Eventually.True(() => Observed("delete", "networkpolicies") >= 2, "both deletes answered");

        // The policy turns invalid (a selector operator the schema lets through): only status changes, and its
        // reports, once they exist, are removed. Then it is deleted: what it owns goes by garbage collection.
        var policy = _bed.PolicyJson("enforce")!;
        policy["spec"]!["match"] = JsonNode.Parse("""{"namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "Near", "values": ["prod"]}]}}""");
        _bed.Emulator.Seed(policy);
        await Eventually.True(() => _bed.Policy("enforce")?.Status?.Conditions?.Any(c => c.Reason == "InvalidSpec") == true, "InvalidSpec reported");
        await Eventually.True(() => Observed("delete", "clusterpolicyreports") > 0 && Observed("delete", "policyreports") > 0, "the invalid policy's reports removed");
        _bed.Emulator.Delete(ResponsibilityPolicy.ApiVersionName, ResponsibilityPolicy.KindName, null, "enforce");
        var informers = app.Services.GetRequiredService<ClusterInformers>();
        await Eventually.True(() => !informers.Policies.Items.Any() && ManagedPolicies("prod-a").Count == 0, "the policy and what it owned are gone");

        // A stopping leader releases the Lease (read, then replace).
        await _bed.StopOperatorAsync(app);
        Assert.Equal("", _bed.Emulator.Get<V1Lease>(OperatorNamespace, options.LeaseName)!.Spec.HolderIdentity);

        var requests = _bed.Emulator.Requests;
        var undeclared = requests.Where(r => r.Resource is not null && !ApiPermissions.All.Any(p => Covers(p, r, options)))
            .Select(Describe).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(undeclared.Count == 0, "calls not declared in ApiPermissions (and so not granted by the chart):\n" + string.Join("\n", undeclared));

        // Everything else is discovery and /version, which every authenticated client may read (system:discovery,
        // system:public-info-viewer).
        // (KubernetesClient asks for /version/.)
        Assert.Contains(requests, r => r.Path.TrimEnd('/') == "/version");
        Assert.All(requests.Where(r => r.Resource is null), r => Assert.True(r.Path.TrimEnd('/') is "/api" or "/apis" or "/version" || r.Path.StartsWith("/api/", StringComparison.Ordinal) || r.Path.StartsWith("/apis/", StringComparison.Ordinal),
            $"{r.Method} {r.Path} is neither a resource nor discovery"));

        var unused = ApiPermissions.All.Where(p => !requests.Any(r => Covers(p, r, options)))
            .Select(p => p.ToString()).ToList();
        Assert.True(unused.Count == 0, "declared (and granted) but never called in a scenario that takes every path:\n" + string.Join("\n", unused));
    }

    private List<V1NetworkPolicy> ManagedPolicies(string ns) =>
        _bed.Emulator.List<V1NetworkPolicy>(ns).Where(p => p.Metadata.Labels?.ContainsKey(RemediationPlanner.ManagedByLabel) == true).ToList();

    private int Observed(string verb, string resource) => _bed.Emulator.Requests.Count(r => r.Verb == verb && r.ResourceWithSubresource == resource && r.StatusCode < 300);

    /// <summary>Whether a declared permission allows the request: group, resource, verb, and where declared, namespace (that of the Role granting it) and name.</summary>
    private static bool Covers(ApiPermission permission, RecordedRequest request, OperatorOptions options) =>
        permission.Group == request.Group
        && permission.Resource == request.ResourceWithSubresource
        && permission.Verb == request.Verb
        && permission.Scope switch
        {
            PermissionScope.Cluster => true,
            PermissionScope.OperatorNamespace => request.Namespace == OperatorNamespace,
            PermissionScope.AwsAuthNamespace => request.Namespace == Rules.Rbac.ClusterRbac.AwsAuthNamespace,
            _ => false,
        }
        && (permission.ResourceName is null || permission.ResourceName(options.ObjectNames) == request.Name);

    private static string Describe(RecordedRequest r) =>
        $"{r.Verb} {(r.Group.Length == 0 ? "core" : r.Group)} {r.ResourceWithSubresource} (namespace {r.Namespace ?? "-"}, name {r.Name ?? "-"}): {r.Method} {r.Path}";
}
