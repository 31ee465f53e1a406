namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// The shared informers the operator runs: policies, namespaces, NetworkPolicies, ServiceAccounts and every
/// workload kind, always; the objects of the rbac, encryption and nodes duties (<see cref="DutyInformers"/>) from the
/// first policy that turns such a duty on; and the API server's version, asked once a minute. Objects are cached
/// trimmed to what the operator reads (<see cref="CacheTrimming"/>).
/// </summary>
public sealed class ClusterInformers
{
    /// <summary>How often the API server's version is asked (an upgrade of the control plane is seen within this time).</summary>
    public static readonly TimeSpan VersionInterval = TimeSpan.FromMinutes(1);

    private readonly Func<CancellationToken, Task<string?>>? _apiServerVersion;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<DutyInformers, IInformer[]> _duties;
    // Guards the duties' state: which run, and the run of each (a stopped one may still be finishing).
    private readonly Lock _dutyRuns = new();
    private readonly Dictionary<DutyInformers, (CancellationTokenSource? Stop, Task Run)> _dutyRun = [];
    private volatile Action<DutyInformers>[] _changeHandlers = [];
    private DutyInformers _started;
    private CancellationToken _running;
    private bool _isRunning;
    private string? _version;

    public ClusterInformers(IKubernetes client, ILoggerFactory loggers, IMeterFactory meters, TimeProvider? clock = null, InformerOptions? options = null)
        : this(ClusterSources.Of(client), loggers, meters, clock, options)
    {
    }

    /// <summary>Informers over the given sources: the API server's, or an in-memory cluster in tests.</summary>
    public ClusterInformers(ClusterSources sources, ILoggerFactory loggers, IMeterFactory meters, TimeProvider? clock = null, InformerOptions? options = null)
    {
        _clock = clock ?? TimeProvider.System;
        _logger = loggers.CreateLogger("EksHardening.Informers");
        _apiServerVersion = sources.ApiServerVersion;
        var trimming = new CacheTrimming();
        var counters = new InformerCounters(meters);
        ResourceInformer<T> Create<T>(IResourceSource<T> source) where T : class, IKubernetesObject<V1ObjectMeta> =>
            new(source, loggers.CreateLogger($"EksHardening.Informer.{source.Resource}"), clock, options, trimming.Trim, counters);

        Policies = Create(sources.Policies);
        Namespaces = Create(sources.Namespaces);
        NetworkPolicies = Create(sources.NetworkPolicies);
        ServiceAccounts = Create(sources.ServiceAccounts);
        Pods = Create(sources.Pods);
        Deployments = Create(sources.Deployments);
        StatefulSets = Create(sources.StatefulSets);
        DaemonSets = Create(sources.DaemonSets);
        ReplicaSets = Create(sources.ReplicaSets);
        Jobs = Create(sources.Jobs);
        CronJobs = Create(sources.CronJobs);
        ReplicationControllers = Create(sources.ReplicationControllers);
        PodTemplates = Create(sources.PodTemplates);
        All = [Policies, Namespaces, NetworkPolicies, ServiceAccounts, Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs,
            ReplicationControllers, PodTemplates];
        Nodes = Create(sources.Nodes);
        StorageClasses = Create(sources.StorageClasses);
        PersistentVolumeClaims = Create(sources.PersistentVolumeClaims);
        Ingresses = Create(sources.Ingresses);
        Services = Create(sources.Services);
        ClusterRoles = Create(sources.ClusterRoles);
        ClusterRoleBindings = Create(sources.ClusterRoleBindings);
        Roles = Create(sources.Roles);
        RoleBindings = Create(sources.RoleBindings);
        AwsAuth = Create(sources.AwsAuth);
        _duties = new()
        {
            [DutyInformers.Rbac] = [ClusterRoles, ClusterRoleBindings, Roles, RoleBindings, AwsAuth],
            [DutyInformers.Volumes] = [StorageClasses, PersistentVolumeClaims],
            [DutyInformers.Ingress] = [Ingresses, Services],
            [DutyInformers.Nodes] = [Nodes],
        };
        Policies.AddHandler(_ => StartNeededDuties());
    }

    public ResourceInformer<ResponsibilityPolicy> Policies { get; }
    public ResourceInformer<V1Namespace> Namespaces { get; }
    public ResourceInformer<V1NetworkPolicy> NetworkPolicies { get; }
    public ResourceInformer<V1ServiceAccount> ServiceAccounts { get; }
    public ResourceInformer<V1Pod> Pods { get; }
    public ResourceInformer<V1Deployment> Deployments { get; }
    public ResourceInformer<V1StatefulSet> StatefulSets { get; }
    public ResourceInformer<V1DaemonSet> DaemonSets { get; }
    public ResourceInformer<V1ReplicaSet> ReplicaSets { get; }
    public ResourceInformer<V1Job> Jobs { get; }
    public ResourceInformer<V1CronJob> CronJobs { get; }
    public ResourceInformer<V1ReplicationController> ReplicationControllers { get; }
    /// <summary>PodTemplate objects: templates no built-in controller runs, reported as templates.</summary>
    public ResourceInformer<V1PodTemplate> PodTemplates { get; }
    public ResourceInformer<V1Node> Nodes { get; }
    public ResourceInformer<V1StorageClass> StorageClasses { get; }
    public ResourceInformer<V1PersistentVolumeClaim> PersistentVolumeClaims { get; }
    public ResourceInformer<V1Ingress> Ingresses { get; }
    public ResourceInformer<V1Service> Services { get; }
    public ResourceInformer<V1ClusterRole> ClusterRoles { get; }
    public ResourceInformer<V1ClusterRoleBinding> ClusterRoleBindings { get; }
    public ResourceInformer<V1Role> Roles { get; }
    public ResourceInformer<V1RoleBinding> RoleBindings { get; }
    /// <summary>The ConfigMap kube-system/aws-auth alone (a field-selected list and watch).</summary>
    public ResourceInformer<V1ConfigMap> AwsAuth { get; }

    /// <summary>The informers that always run (readiness waits for them); the duties' informers are in <see cref="Running"/> once started.</summary>
    public IReadOnlyList<IInformer> All { get; }

    /// <summary>Every informer running now: <see cref="All"/> and those of the duties some policy turned on.</summary>
    public IReadOnlyList<IInformer> Running
    {
        get
        {
            lock (_dutyRuns) return [.. All, .. _duties.Where(d => _started.HasFlag(d.Key)).SelectMany(d => d.Value)];
        }
    }

    public bool HasSynced => All.All(i => i.HasSynced);

    /// <summary>Whether the duties' informers (every one of the flags given) run and have listed: until then their objects are unknown, not absent.</summary>
    public bool DutySynced(DutyInformers duties)
    {
        lock (_dutyRuns)
        {
            if ((duties & ~_started) != DutyInformers.None) return false;
        }

        return _duties.Where(d => duties.HasFlag(d.Key)).All(d => d.Value.All(i => i.HasSynced));
    }

    /// <summary>The API server's gitVersion (e.g. v1.31.2-eks-7f9249a) from its last answer to /version; null until the first.</summary>
    public string? ApiServerVersion => Volatile.Read(ref _version);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => i.Synced)).WaitAsync(cancellationToken);

    /// <summary>Runs the informers until cancelled; a duty's informers start when the first policy that needs them is seen.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_dutyRuns)
        {
            _running = cancellationToken;
            _isRunning = true;
        }

        var core = All.Select(i => Task.Run(() => i.RunAsync(cancellationToken), cancellationToken)).ToList();
        if (_apiServerVersion is not null) core.Add(Task.Run(() => PollVersionAsync(cancellationToken), cancellationToken));
        StartNeededDuties();
        await Task.WhenAll(core).ConfigureAwait(false);
        Task[] duties;
        lock (_dutyRuns) duties = [.. _dutyRun.Values.Select(d => d.Run)];
        await Task.WhenAll(duties).ConfigureAwait(false);
    }

    /// <summary>The duties whose objects <paramref name="spec"/> reads: what its enabled rules judge.</summary>
    public static DutyInformers Needed(ResponsibilityPolicySpec? spec)
    {
        if (spec is null) return DutyInformers.None;
        var needed = DutyInformers.None;
        if (spec.Rbac is { } rbac && (rbac.DisallowClusterAdminBindings == true || rbac.DisallowWildcardRoles == true || rbac.DisallowAnonymousAccess == true
                || rbac.RestrictWorkloadPrivileges == true || rbac.DisallowSystemMastersMapping == true))
        {
            needed |= DutyInformers.Rbac;
        }

        if (spec.Encryption?.RequireEncryptedVolumes == true) needed |= DutyInformers.Volumes;
        if (spec.Encryption?.RequireTlsIngress == true) needed |= DutyInformers.Ingress;
        if (spec.Nodes is { } nodes && (nodes.MaxKubeletSkew is not null || nodes.MaxNodeAge is not null || nodes.RequireImdsV2 == true
                || nodes.MaxAmiAge is not null || nodes.RequireRecommendedAmi == true))
        {
            needed |= DutyInformers.Nodes;
        }

        // The Nodes' instances carry security groups the network rule judges.
        if (spec.Cluster?.DisallowOpenSecurityGroups == true) needed |= DutyInformers.Nodes;
        return needed;
    }

    /// <summary>
    /// Starts the informers of every duty some policy needs that is not running, and stops those of a duty no policy
    /// needs any more: their caches are dropped (a later policy lists again), so an unused duty costs no memory.
    /// </summary>
    private void StartNeededDuties()
    {
        var needed = DutyInformers.None;
        foreach (var policy in Policies.Items) needed |= Needed(policy.Spec);
        lock (_dutyRuns)
        {
            if (!_isRunning) return;
            foreach (var (duty, informers) in _duties)
            {
                var running = _started.HasFlag(duty);
                if (needed.HasFlag(duty) && !running)
                {
                    _started |= duty;
                    var (dutyName, resources) = (duty.ToString(), string.Join(", ", informers.Select(i => i.Resource)));
                    InformerLog.DutyStarted(_logger, dutyName, resources);
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(_running);
                    var previous = _dutyRun.TryGetValue(duty, out var last) ? last.Run : Task.CompletedTask;
                    _dutyRun[duty] = (stop, RunDutyAsync(duty, informers, previous, stop));
                }
                else if (!needed.HasFlag(duty) && running)
                {
                    _started &= ~duty;
                    var dutyName = duty.ToString();
                    InformerLog.DutyStopped(_logger, dutyName);
                    var (stop, run) = _dutyRun[duty];
                    stop?.Cancel();
                    _dutyRun[duty] = (null, run);
                }
            }
        }
    }

    /// <summary>One run of a duty's informers, after the previous run has ended; its caches are dropped when it stops.</summary>
    private async Task RunDutyAsync(DutyInformers duty, IInformer[] informers, Task previous, CancellationTokenSource stop)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var token = stop.Token;
        // Until the duty has listed its objects are unknown; its sync is a change that can alter findings.
        _ = Task.WhenAll(informers.Select(i => i.Synced)).ContinueWith(_ => NotifyChange(duty), token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        try
        {
            await Task.WhenAll(informers.Select(i => Task.Run(() => i.RunAsync(token), token))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            foreach (var informer in informers) informer.Reset();
            stop.Dispose();
        }
    }

    /// <summary>Asks /version now and then once a minute; a change (or the first answer) is a cluster change.</summary>
    private async Task PollVersionAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // The minute runs from the question, whatever the answer takes: asked at a steady pace.
            var nextQuestion = Task.Delay(VersionInterval, _clock, cancellationToken);
            try
            {
                var version = await _apiServerVersion!(cancellationToken).ConfigureAwait(false);
                if (!string.IsNullOrWhiteSpace(version) && !string.Equals(Interlocked.Exchange(ref _version, version), version, StringComparison.Ordinal))
                {
                    // Only node.kubelet-skew reads the version.
                    NotifyChange(DutyInformers.Nodes);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or TimeoutException or OperationCanceledException)
            {
                // The last known version stays (a control plane is not downgraded); until a first answer it is unknown.
                InformerLog.VersionFailed(_logger, e.Message);
            }

            try
            {
                await nextQuestion.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void NotifyChange(DutyInformers changed)
    {
        foreach (var handler in _changeHandlers) handler(changed);
    }

    /// <summary>Every cached workload, of every kind.</summary>
    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Workloads =>
        Pods.Items.Cast<IKubernetesObject<V1ObjectMeta>>()
            .Concat(Deployments.Items).Concat(StatefulSets.Items).Concat(DaemonSets.Items)
            .Concat(ReplicaSets.Items).Concat(Jobs.Items).Concat(CronJobs.Items)
            .Concat(ReplicationControllers.Items).Concat(PodTemplates.Items);

    /// <summary>
    /// Registers one handler on every informer but the policies', told what changed: the objects of one duty (only
    /// policies with that duty read them; the API server's version counts for the nodes duty), or
    /// <see cref="DutyInformers.None"/> for the namespaces, NetworkPolicies, ServiceAccounts and workloads every policy
    /// reads. Updates that change nothing the operator keeps (a pod's conditions, a Deployment's replica counts) do not
    /// call it.
    /// </summary>
    public void OnClusterChange(Action<DutyInformers> handler)
    {
        lock (_dutyRuns) _changeHandlers = [.. _changeHandlers, handler];
        Action<InformerEvent<T>> Changed<T>(DutyInformers duty) where T : class, IKubernetesObject<V1ObjectMeta> => change =>
        {
            if (change.Type == InformerEventType.Updated && CacheTrimming.SameRuleInputs(change.Old!, change.New!)) return;
            handler(duty);
        };

        var everyPolicy = DutyInformers.None;
        Namespaces.AddHandler(Changed<V1Namespace>(everyPolicy));
        NetworkPolicies.AddHandler(Changed<V1NetworkPolicy>(everyPolicy));
        ServiceAccounts.AddHandler(Changed<V1ServiceAccount>(everyPolicy));
        Pods.AddHandler(Changed<V1Pod>(everyPolicy));
        Deployments.AddHandler(Changed<V1Deployment>(everyPolicy));
        StatefulSets.AddHandler(Changed<V1StatefulSet>(everyPolicy));
        DaemonSets.AddHandler(Changed<V1DaemonSet>(everyPolicy));
        ReplicaSets.AddHandler(Changed<V1ReplicaSet>(everyPolicy));
        Jobs.AddHandler(Changed<V1Job>(everyPolicy));
        CronJobs.AddHandler(Changed<V1CronJob>(everyPolicy));
        ReplicationControllers.AddHandler(Changed<V1ReplicationController>(everyPolicy));
        PodTemplates.AddHandler(Changed<V1PodTemplate>(everyPolicy));
        Nodes.AddHandler(Changed<V1Node>(DutyInformers.Nodes));
        StorageClasses.AddHandler(Changed<V1StorageClass>(DutyInformers.Volumes));
        PersistentVolumeClaims.AddHandler(Changed<V1PersistentVolumeClaim>(DutyInformers.Volumes));
        Ingresses.AddHandler(Changed<V1Ingress>(DutyInformers.Ingress));
        Services.AddHandler(Changed<V1Service>(DutyInformers.Ingress));
        ClusterRoles.AddHandler(Changed<V1ClusterRole>(DutyInformers.Rbac));
        ClusterRoleBindings.AddHandler(Changed<V1ClusterRoleBinding>(DutyInformers.Rbac));
        Roles.AddHandler(Changed<V1Role>(DutyInformers.Rbac));
        RoleBindings.AddHandler(Changed<V1RoleBinding>(DutyInformers.Rbac));
        AwsAuth.AddHandler(Changed<V1ConfigMap>(DutyInformers.Rbac));
    }
}

/// <summary>The groups of informers the policy duties read, started only when some policy turns such a duty on.</summary>
[Flags]
public enum DutyInformers
{
    None = 0,
    /// <summary>rbac.*: ClusterRoles, ClusterRoleBindings, Roles, RoleBindings and kube-system/aws-auth.</summary>
    Rbac = 1,
    /// <summary>encryption.requireEncryptedVolumes: StorageClasses and PersistentVolumeClaims.</summary>
    Volumes = 2,
    /// <summary>encryption.requireTlsIngress: Ingresses and Services.</summary>
    Ingress = 4,
    /// <summary>nodes.*: Nodes.</summary>
    Nodes = 8,
}

/// <summary>Where each of the <see cref="ClusterInformers"/> lists and watches its resource.</summary>
public sealed record ClusterSources(
    IResourceSource<ResponsibilityPolicy> Policies,
    IResourceSource<V1Namespace> Namespaces,
    IResourceSource<V1NetworkPolicy> NetworkPolicies,
    IResourceSource<V1ServiceAccount> ServiceAccounts,
    IResourceSource<V1Pod> Pods,
    IResourceSource<V1Deployment> Deployments,
    IResourceSource<V1StatefulSet> StatefulSets,
    IResourceSource<V1DaemonSet> DaemonSets,
    IResourceSource<V1ReplicaSet> ReplicaSets,
    IResourceSource<V1Job> Jobs,
    IResourceSource<V1CronJob> CronJobs,
    IResourceSource<V1ReplicationController> ReplicationControllers,
    IResourceSource<V1PodTemplate> PodTemplates,
    IResourceSource<V1Node> Nodes,
    IResourceSource<V1StorageClass> StorageClasses,
    IResourceSource<V1PersistentVolumeClaim> PersistentVolumeClaims,
    IResourceSource<V1Ingress> Ingresses,
    IResourceSource<V1Service> Services,
    IResourceSource<V1ClusterRole> ClusterRoles,
    IResourceSource<V1ClusterRoleBinding> ClusterRoleBindings,
    IResourceSource<V1Role> Roles,
    IResourceSource<V1RoleBinding> RoleBindings,
    IResourceSource<V1ConfigMap> AwsAuth,
    Func<CancellationToken, Task<string?>>? ApiServerVersion)
{
    /// <summary>The API server's, through one client.</summary>
    public static ClusterSources Of(IKubernetes client) => new(
        new ResponsibilityPolicySource(client), ResourceSources.Namespaces(client), ResourceSources.NetworkPolicies(client),
        ResourceSources.ServiceAccounts(client), ResourceSources.Pods(client), ResourceSources.Deployments(client), ResourceSources.StatefulSets(client),
        ResourceSources.DaemonSets(client), ResourceSources.ReplicaSets(client), ResourceSources.Jobs(client), ResourceSources.CronJobs(client),
        ResourceSources.ReplicationControllers(client), ResourceSources.PodTemplates(client),
        ResourceSources.Nodes(client), ResourceSources.StorageClasses(client), ResourceSources.PersistentVolumeClaims(client),
        ResourceSources.Ingresses(client), ResourceSources.Services(client), ResourceSources.ClusterRoles(client),
        ResourceSources.ClusterRoleBindings(client), ResourceSources.Roles(client), ResourceSources.RoleBindings(client), ResourceSources.AwsAuth(client),
        async ct => (await client.Version.GetCodeAsync(ct).ConfigureAwait(false))?.GitVersion);
}
