using EksHardening.Operator.Testing.Kubernetes;

namespace EksHardening.Operator.Testing.Testbed;

/// <summary>
/// An API emulator with the real CRD installed, a kubeconfig pointing at it, and operator hosts started the
/// way <c>eks-hardening run --kubeconfig</c> starts them. "Expected" status is what the rule engine computes
/// from the emulator's current objects: convergence means the written status equals it.
/// </summary>
public sealed class OperatorTestbed : IAsyncDisposable
{
    private readonly List<WebApplication> _operators = [];
    private readonly Dictionary<WebApplication, OperatorCounters> _counters = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("eks-hardening-it-").FullName;

    private OperatorTestbed(ApiServerEmulator emulator)
    {
        Emulator = emulator;
        Client = emulator.CreateClient();
        KubeconfigPath = Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"}name: emulator, cluster: {"{"}server: "{emulator.BaseUrl}"{"}"}{"}"}]
            users: [{"{"}name: tester, user: {"{"}token: test-token{"}"}{"}"}]
            contexts: [{"{"}name: emulator, context: {"{"}cluster: emulator, user: tester{"}"}{"}"}]
            current-context: emulator
            """);
    }

    public ApiServerEmulator Emulator { get; }
    public k8s.Kubernetes Client { get; }
    public string KubeconfigPath { get; }

    /// <summary>Receives the log (Debug and up) of operators started from now on; null: nothing is logged.</summary>
    public ILoggerProvider? LogSink { get; set; }

    public static async Task<OperatorTestbed> StartAsync()
    {
        var emulator = await ApiServerEmulator.StartNewAsync(new ApiEmulatorOptions { BookmarkInterval = TimeSpan.FromSeconds(1) });
        var testbed = new OperatorTestbed(emulator);
        var crd = await Crds.ReadFileAsync(RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml"));
        await testbed.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        return testbed;
    }

    /// <summary>The testbed with the mixed cluster of <see cref="MixedWorkloads"/> and its "production" policy.</summary>
    public static async Task<OperatorTestbed> StartWithMixedWorkloadsAsync()
    {
        var testbed = await StartAsync();
        testbed.Emulator.SeedMany(MixedWorkloads.Namespaces());
        testbed.Emulator.SeedMany(MixedWorkloads.Workloads());
        await testbed.CreatePolicyAsync(MixedWorkloads.Policy);
        return testbed;
    }

    /// <summary>Starts an operator host through the same option parsing as the <c>run</c> command (webhook off unless <paramref name="extraArgs"/> turn it on).</summary>
    public async Task<WebApplication> StartOperatorAsync(string identity = "operator-a", bool leaderElection = false, string leaseDuration = "3s", params string[] extraArgs)
    {
        var options = RunFlags.Parse(
            ["--kubeconfig", KubeconfigPath, "--identity", identity, "--leader-elect", leaderElection ? "true" : "false",
             "--lease-namespace", "default", "--lease-duration", leaseDuration, "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0",
             .. extraArgs],
            _ => null);
        var app = OperatorHost.Build(options, logging =>
        {
            if (LogSink is { } sink) logging.SetMinimumLevel(LogLevel.Debug).AddProvider(sink);
            else logging.SetMinimumLevel(LogLevel.Warning);
        });
        _operators.Add(app);
        // A collector sees only what is counted after it starts listening: it starts before the host does.
        _counters[app] = new OperatorCounters(app.Services.GetRequiredService<IMeterFactory>());
        await app.StartAsync();
        return app;
    }

    public async Task StopOperatorAsync(WebApplication app)
    {
        _operators.Remove(app);
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>What the operator host counted since it started, read from its instruments.</summary>
    public OperatorCounters Counters(WebApplication app) => _counters[app];

    /// <summary>
    /// The operator's plain-HTTP address (the health and metrics listeners, both on port 0 here, serve every
    /// endpoint but the webhook's), with 127.0.0.1 for a wildcard host.
    /// </summary>
    public static Uri HttpAddress(WebApplication app, int? webhookPort = null) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)))
            .First(a => a.Scheme == "http" && a.Port != webhookPort);

    public static StatusController Status(WebApplication app) => app.Services.GetRequiredService<StatusController>();

    public static PolicyController Controller(WebApplication app) => app.Services.GetRequiredService<PolicyController>();

    public async Task<ResponsibilityPolicy> CreatePolicyAsync(string yaml)
    {
        var set = new ManifestSet();
        ManifestReader.ReadText(yaml, "policy.yaml", set);
        var policy = (ResponsibilityPolicy)set.Objects.Single().Object;
        await Client.CustomObjects.CreateClusterCustomObjectAsync(policy, ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural);
        return policy;
    }

    public ResponsibilityPolicy? Policy(string name) => Emulator.Get<ResponsibilityPolicy>(name);

    /// <summary>The raw policy object as stored (for printer-column JSONPaths).</summary>
    public JsonObject? PolicyJson(string name) => Emulator.Get(ResponsibilityPolicy.ApiVersionName, ResponsibilityPolicy.KindName, null, name);

    /// <summary>What the rule engine says the status should be, from the emulator's objects right now (and the AWS facts given).</summary>
    public ResponsibilityPolicyStatus Expected(string name, AwsFacts? aws = null)
    {
        var policy = Policy(name) ?? throw new InvalidOperationException($"policy {name} not found");
        return ExpectedStatus.Of(policy, CurrentObjects(), aws, Emulator.Options.ServerVersion);
    }

    /// <summary>The rule engine's evaluation of the policy over the emulator's objects right now.</summary>
    public PolicyEvaluation ExpectedEvaluation(string name)
    {
        var policy = Policy(name) ?? throw new InvalidOperationException($"policy {name} not found");
        return ExpectedStatus.Evaluate(policy, CurrentObjects(), apiServerVersion: Emulator.Options.ServerVersion);
    }

    /// <summary>Every object the operator's informers would see (the objects the rule engine reads), from the emulator right now.</summary>
    public List<object> CurrentObjects()
    {
        var objects = new List<object>();
        objects.AddRange(Emulator.List<V1Namespace>());
        objects.AddRange(Emulator.List<V1NetworkPolicy>());
        objects.AddRange(Emulator.List<V1ServiceAccount>());
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Pod>(), "v1", "Pod"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Deployment>(), "apps/v1", "Deployment"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1StatefulSet>(), "apps/v1", "StatefulSet"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1DaemonSet>(), "apps/v1", "DaemonSet"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1ReplicaSet>(), "apps/v1", "ReplicaSet"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Job>(), "batch/v1", "Job"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1CronJob>(), "batch/v1", "CronJob"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1ReplicationController>(), "v1", "ReplicationController"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1PodTemplate>(), "v1", "PodTemplate"));
        // The objects of the rbac, encryption and nodes duties, and of ConfigMaps only kube-system/aws-auth (the one the operator watches).
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Node>(), "v1", "Node"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1StorageClass>(), "storage.k8s.io/v1", "StorageClass"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1PersistentVolumeClaim>(), "v1", "PersistentVolumeClaim"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Ingress>(), "networking.k8s.io/v1", "Ingress"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Service>(), "v1", "Service"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1ClusterRole>(), "rbac.authorization.k8s.io/v1", "ClusterRole"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1ClusterRoleBinding>(), "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1Role>(), "rbac.authorization.k8s.io/v1", "Role"));
        objects.AddRange(ExpectedStatus.WithKind(Emulator.List<V1RoleBinding>(), "rbac.authorization.k8s.io/v1", "RoleBinding"));
        if (Emulator.Get<V1ConfigMap>(ClusterRbac.AwsAuthNamespace, ClusterRbac.AwsAuthName) is { } awsAuth)
        {
            objects.AddRange(ExpectedStatus.WithKind([awsAuth], "v1", "ConfigMap"));
        }

        return objects;
    }

    /// <summary>Waits until the written status equals the expected one (all but lastEvaluated).</summary>
    public async Task ConvergedAsync(string name, TimeSpan? timeout = null, AwsFacts? aws = null)
    {
        string last = "no status yet";
        var converged = Eventually.True(() =>
        {
            var policy = Policy(name);
            if (policy?.Status?.Summary is null) { last = "no status yet"; return false; }
            var expected = Expected(name, aws);
            var differs = ComplianceStatus.ContentDiffers(policy.Status, expected);
            last = $"written {KubernetesJson.Serialize(policy.Status.Summary)} totalViolations={policy.Status.TotalViolations}; expected {KubernetesJson.Serialize(expected.Summary)} totalViolations={expected.TotalViolations}";
            return !differs;
        }, $"status of {name} converges", timeout ?? TimeSpan.FromSeconds(30), poll: TimeSpan.FromMilliseconds(25));   // each check runs the rule engine
        try
        {
            await converged;
        }
        catch (Xunit.Sdk.FailException)
        {
            // The message names what was last seen, which is only known once the wait has ended.
            Assert.Fail($"status of {name} did not converge: {last}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _operators.ToList())
        {
            try
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        foreach (var counters in _counters.Values) counters.Dispose();
        Client.Dispose();
        await Emulator.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The counters of one operator host, through MetricCollector on the host's own meter factory (so never another host's).</summary>
    public sealed class OperatorCounters(IMeterFactory meters) : IDisposable
    {
        private readonly MetricCollector<long> _statusWrites = new(meters, PolicyMetrics.MeterName, "eks_hardening_status_writes_total");
        private readonly MetricCollector<long> _unchanged = new(meters, PolicyMetrics.MeterName, "eks_hardening_reconciles_unchanged_total");
        private readonly MetricCollector<long> _eventsSent = new(meters, ViolationEvents.MeterName, "eks_hardening_events_sent_total");
        private readonly MetricCollector<long> _reportWrites = new(meters, PolicyMetrics.MeterName, "eks_hardening_policy_report_writes_total");
        private readonly MetricCollector<long> _reportFailures = new(meters, PolicyMetrics.MeterName, "eks_hardening_policy_report_failures_total");

        public long StatusWrites => _statusWrites.GetMeasurementSnapshot().EvaluateAsCounter();
        public long UnchangedReconciles => _unchanged.GetMeasurementSnapshot().EvaluateAsCounter();
        public long EventsSent => _eventsSent.GetMeasurementSnapshot().EvaluateAsCounter();
        public long ReportFailures => _reportFailures.GetMeasurementSnapshot().EvaluateAsCounter();

        /// <summary>PolicyReport writes of one operation (create, patch, delete).</summary>
        public long ReportWrites(string operation) =>
            _reportWrites.GetMeasurementSnapshot().Where(m => m.MatchesTags(new KeyValuePair<string, object?>("operation", operation))).EvaluateAsCounter();

        public void Dispose()
        {
            _statusWrites.Dispose();
            _unchanged.Dispose();
            _eventsSent.Dispose();
            _reportWrites.Dispose();
            _reportFailures.Dispose();
        }
    }
}
