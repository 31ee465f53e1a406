namespace EksHardening.Operator.Rules;

/// <summary>
/// Remembers one policy's findings per workload so that a re-evaluation recomputes only workloads whose
/// inputs changed: the workload itself, its namespace, the NetworkPolicies and the ServiceAccount it depends
/// on, who else binds its IAM role, and — for a policy whose rules read them — the bindings that can name its service
/// account with the roles they grant, or the claims it uses with their StorageClasses.
/// Informers replace an object instance whenever it changes, so "changed" is reference inequality: exact, with no
/// hashing. Findings are kept before exemptions, which depend on the clock and are applied on every evaluation. The
/// cache is dropped when the policy's spec changes.
/// Running pods reported on an owner are kept by content instead of by name: the informers share equal trimmed specs,
/// label sets and annotations between objects, so the replicas of one template are one entry, evaluated once.
/// </summary>
public sealed class FindingsCache
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<PodContent, Entry> _pods = [];
    private readonly Dictionary<string, MergedEntry> _merged = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceRef, SettledResource> _resources = [];
    private readonly Dictionary<string, SettledResource> _workloadResources = new(StringComparer.Ordinal);
    private object? _specIdentity;
    private int _evaluation;
    private Reads _reads;

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public int Count => _entries.Count + _pods.Count;

    /// <summary>Owners whose merge of template and pod findings is remembered (only those whose pods fail or err, or whose template waits for the pods).</summary>
    public int MergedCount => _merged.Count;

    /// <summary>
    /// Clears everything when the policy's spec changed: by uid and generation where the API server keeps them
    /// (a status write replaces the object but not the generation), else by the spec instance.
    /// </summary>
    internal void BeginEvaluation(ResponsibilityPolicy policy)
    {
        object identity = policy.Metadata?.Generation is { } generation ? (policy.Metadata.Uid, generation) : policy.Spec;
        _evaluation++;
        if (Equals(identity, _specIdentity)) return;
        _reads = new Reads(Grants: policy.Spec?.Rbac?.RestrictWorkloadPrivileges == true, Claims: policy.Spec?.Encryption?.RequireEncryptedVolumes == true);
        _entries.Clear();
        _pods.Clear();
        _merged.Clear();
        _resources.Clear();
        _workloadResources.Clear();
        _specIdentity = identity;
    }

    internal List<Finding>? TryGet(WorkloadView workload, ClusterSnapshot snapshot)
    {
        if (_entries.TryGetValue(KeyOf(workload), out var entry) && entry.IsValidFor(workload, snapshot, _reads))
        {
            Hits++;
            entry.LastUsed = _evaluation;
            return entry.Findings;
        }

        Misses++;
        return null;
    }

    internal void Put(WorkloadView workload, ClusterSnapshot snapshot, List<Finding> findings) =>
        _entries[KeyOf(workload)] = new Entry(workload, snapshot, _reads, findings) { LastUsed = _evaluation };

    /// <summary>The findings of a pod reported on <paramref name="owner"/>, shared by every pod of that owner with the same content.</summary>
    internal List<Finding>? TryGetPod(WorkloadView pod, WorkloadView owner, ClusterSnapshot snapshot)
    {
        // Replicas share an entry: checked against the snapshot once per evaluation, then taken as it is.
        if (_pods.TryGetValue(PodContent.Of(pod, owner), out var entry)
            && (entry.LastUsed == _evaluation || entry.IsValidFor(pod, snapshot, _reads, sameObject: false)))
        {
            Hits++;
            entry.LastUsed = _evaluation;
            return entry.Findings;
        }

        Misses++;
        return null;
    }

    internal void PutPod(WorkloadView pod, WorkloadView owner, ClusterSnapshot snapshot, List<Finding> findings) =>
        _pods[PodContent.Of(pod, owner)] = new Entry(pod, snapshot, _reads, findings) { LastUsed = _evaluation };

    /// <summary>
    /// The merge of an owner's template and pod findings (<see cref="OwnerFindings.Merge"/>), when it was made from the
    /// very same findings lists for the same pods: merging is pure, so unchanged inputs give the remembered result.
    /// </summary>
    internal List<Finding> Merge(WorkloadView owner, List<Finding> template, IReadOnlyList<(WorkloadView Pod, List<Finding> Findings)> pods, IReadOnlyList<RuleDefinition> rules)
    {
        var key = KeyOf(owner);
        // Owners whose pods fail nothing keep the template's own list, found without merging: nothing worth remembering.
        if (pods.Count == 0 || OwnerFindings.AddsNothing(template, pods))
        {
            _merged.Remove(key);
            return template;
        }

        if (_merged.TryGetValue(key, out var entry) && entry.IsFor(template, pods))
        {
            entry.LastUsed = _evaluation;
            return entry.Result;
        }

        // Remembered even when the template's list comes back (replicas that repeat a failing template's failures):
        // finding that out is the whole merge, which would otherwise run for every such owner at every evaluation.
        var result = OwnerFindings.MergeFindings(owner, template, pods, rules);
        _merged[key] = new MergedEntry(template, pods, result) { LastUsed = _evaluation };
        return result;
    }

    /// <summary>
    /// The resource's evaluation as the last evaluation reported it when nothing in it changed, else
    /// <paramref name="fresh"/> (remembered for the next). An evaluation is kept until the next one replaces it, long
    /// enough to outlive the young generations: handing on unchanged ones keeps a burst of re-evaluations from filling
    /// the old generation with copies of what it already holds.
    /// </summary>
    /// <param name="workload">The workload reported, if it is one (see <see cref="SettledWorkload"/>).</param>
    internal ResourceEvaluation Settle(ResourceEvaluation fresh, WorkloadView? workload = null)
    {
        ref var settled = ref CollectionsMarshal.GetValueRefOrAddDefault(_resources, fresh.Resource, out var known);
        if (!known || !settled!.Evaluation.SameAs(fresh)) settled = new SettledResource(fresh);
        settled.LastUsed = _evaluation;
        if (workload is not null) _workloadResources[workload.Key] = settled;
        return settled.Evaluation;
    }

    /// <summary>
    /// The workload's evaluation as last reported when it was made of these very findings (a cache hit without
    /// exemptions) for the same object identity, without building a new one to compare; else null.
    /// </summary>
    internal ResourceEvaluation? SettledWorkload(WorkloadView workload, IReadOnlyList<Finding> findings)
    {
        if (!_workloadResources.TryGetValue(workload.Key, out var settled)) return null;
        var last = settled.Evaluation;
        if (!ReferenceEquals(last.Findings, findings) || last.Resource.Uid != workload.Metadata.Uid
            || last.Resource.ApiVersion != workload.ApiVersion || last.Source != workload.Source) return null;
        settled.LastUsed = _evaluation;
        return last;
    }

    /// <summary>Drops what this evaluation did not use: workloads no longer reported, pod contents, merges and resources.</summary>
    internal void Retain()
    {
        if (_entries.Values.Any(e => e.LastUsed != _evaluation))
        {
            foreach (var (key, _) in _entries.Where(p => p.Value.LastUsed != _evaluation).ToList()) _entries.Remove(key);
        }

        if (_pods.Values.Any(e => e.LastUsed != _evaluation))
        {
            foreach (var (key, _) in _pods.Where(p => p.Value.LastUsed != _evaluation).ToList()) _pods.Remove(key);
        }

        if (_merged.Values.Any(e => e.LastUsed != _evaluation))
        {
            foreach (var (key, _) in _merged.Where(p => p.Value.LastUsed != _evaluation).ToList()) _merged.Remove(key);
        }

        if (_resources.Values.Any(e => e.LastUsed != _evaluation))
        {
            foreach (var (key, _) in _resources.Where(p => p.Value.LastUsed != _evaluation).ToList()) _resources.Remove(key);
            foreach (var (key, _) in _workloadResources.Where(p => p.Value.LastUsed != _evaluation).ToList()) _workloadResources.Remove(key);
        }
    }

    private sealed class SettledResource(ResourceEvaluation evaluation)
    {
        public ResourceEvaluation Evaluation { get; } = evaluation;

        public int LastUsed { get; set; }
    }

    /// <summary>One owner's merged findings and the lists (and pod names, which messages carry) they were merged from.</summary>
    private sealed class MergedEntry
    {
        private readonly List<Finding> _template;
        private readonly List<Finding>[] _podFindings;
        private readonly string?[] _podNames;

        public MergedEntry(List<Finding> template, IReadOnlyList<(WorkloadView Pod, List<Finding> Findings)> pods, List<Finding> result)
        {
            _template = template;
            _podFindings = new List<Finding>[pods.Count];
            _podNames = new string?[pods.Count];
            for (var i = 0; i < pods.Count; i++) (_podNames[i], _podFindings[i]) = (pods[i].Pod.Metadata.Name, pods[i].Findings);
            Result = result;
        }

        public List<Finding> Result { get; }

        public int LastUsed { get; set; }

        public bool IsFor(List<Finding> template, IReadOnlyList<(WorkloadView Pod, List<Finding> Findings)> pods)
        {
            if (!ReferenceEquals(template, _template) || pods.Count != _podFindings.Length) return false;
            for (var i = 0; i < pods.Count; i++)
            {
                if (!ReferenceEquals(pods[i].Findings, _podFindings[i]) || !string.Equals(pods[i].Pod.Metadata.Name, _podNames[i], StringComparison.Ordinal)) return false;
            }

            return true;
        }
    }

    /// <summary>
    /// What a pod's findings depend on besides its namespace's objects: the owner it is reported on (named in messages),
    /// and its spec, labels and annotations, compared by reference (the informer cache shares equal values).
    /// </summary>
    private readonly record struct PodContent(string Owner, object? Spec, object? Labels, object? Annotations)
    {
        public static PodContent Of(WorkloadView pod, WorkloadView owner) =>
            new(owner.Key, pod.PodSpec, pod.Metadata.Labels, pod.Metadata.Annotations);

        public bool Equals(PodContent other) =>
            string.Equals(Owner, other.Owner, StringComparison.Ordinal)
            && ReferenceEquals(Spec, other.Spec) && ReferenceEquals(Labels, other.Labels) && ReferenceEquals(Annotations, other.Annotations);

        public override int GetHashCode() => HashCode.Combine(
            StringComparer.Ordinal.GetHashCode(Owner),
            System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Spec),
            Labels is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Labels),
            Annotations is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Annotations));
    }

    internal static string KeyOf(WorkloadView workload) => workload.Key;

    /// <summary>Whether two lists hold the very same objects in the same order (both null counts as the same).</summary>
    internal static bool SameItems<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) where T : class?
    {
        if (a is null || b is null) return a is null && b is null;
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i])) return false;
        }

        return true;
    }

    /// <summary>The inputs only some rules read, compared only for a policy that turns those rules on.</summary>
    /// <param name="Grants">rbac.workload-privileges: the bindings naming the service account and the roles they grant.</param>
    /// <param name="Claims">encryption.volumes: the workload's claims and their StorageClasses.</param>
    private readonly record struct Reads(bool Grants, bool Claims);

    private sealed class Entry
    {
        private readonly object _workload;
        private readonly V1Namespace? _namespace;
        private readonly IReadOnlyList<V1NetworkPolicy> _networkPolicies;
        private readonly V1ServiceAccount? _serviceAccount;
        private readonly string _roleSharing;
        private readonly object?[] _awsFacts;
        private readonly object?[]? _claimInputs;
        private readonly object?[]? _grantInputs;
        private readonly UnlistedObjects _unlisted;

        public Entry(WorkloadView workload, ClusterSnapshot snapshot, Reads reads, List<Finding> findings)
        {
            _workload = workload.Object;
            _namespace = snapshot.FindNamespace(workload.Namespace);
            // The namespace index never changes once built (a change builds a new one): its list, not a copy per entry.
            _networkPolicies = snapshot.NetworkPoliciesIn(workload.Namespace);
            _serviceAccount = ServiceAccountOf(workload, snapshot);
            _roleSharing = RoleSharingOf(_serviceAccount, snapshot);
            _awsFacts = AwsFactsOf(workload, _serviceAccount, snapshot);
            _claimInputs = reads.Claims ? ClaimInputsOf(workload, snapshot) : null;
            _grantInputs = reads.Grants ? GrantInputsOf(workload, snapshot) : null;
            _unlisted = snapshot.Unlisted;
            Findings = findings;
        }

        public List<Finding> Findings { get; }

        /// <summary>The evaluation that last used the entry (entries are dropped when an evaluation leaves them unused).</summary>
        public int LastUsed { get; set; }

        /// <param name="sameObject">Whether the entry must be of this very object version (workloads by name); pod contents are matched by their key.</param>
        public bool IsValidFor(WorkloadView workload, ClusterSnapshot snapshot, Reads reads, bool sameObject = true)
        {
            if ((sameObject && !ReferenceEquals(_workload, workload.Object)) || !ReferenceEquals(_namespace, snapshot.FindNamespace(workload.Namespace))) return false;
            if (!SameItems(snapshot.NetworkPoliciesIn(workload.Namespace), _networkPolicies)) return false;
            var account = ServiceAccountOf(workload, snapshot);
            if (!ReferenceEquals(account, _serviceAccount) || RoleSharingOf(account, snapshot) != _roleSharing) return false;
            if (snapshot.Unlisted != _unlisted) return false;
            if (reads.Claims && !SameItems(ClaimInputsOf(workload, snapshot), _claimInputs)) return false;
            if (reads.Grants && !SameItems(GrantInputsOf(workload, snapshot), _grantInputs)) return false;
            return SameItems(AwsFactsOf(workload, account, snapshot), _awsFacts);
        }

        private static object?[]? GrantInputsOf(WorkloadView workload, ClusterSnapshot snapshot) =>
            snapshot.Rbac?.GrantInputsOf(workload.Namespace, IrsaRules.ServiceAccountNameOf(workload.PodSpec));

        /// <summary>The AWS fact objects the workload's findings read: its images, its role, the cluster (for the OIDC issuer), the region's EBS default.</summary>
        private static object?[] AwsFactsOf(WorkloadView workload, V1ServiceAccount? account, ClusterSnapshot snapshot)
        {
            if (snapshot.Aws is not { } aws) return [];
            var facts = new object?[workload.Containers.Count + 4];
            for (var i = 0; i < workload.Containers.Count; i++) facts[i] = aws.ImageFor(workload.Containers[i].Image);
            facts[^4] = aws.EbsDefault;
            var ns = workload.Namespace;
            var accountName = IrsaRules.ServiceAccountNameOf(workload.PodSpec);
            facts[^3] = aws.RoleFor(account is null ? null : ClusterSnapshot.RoleArnOf(account));
            facts[^2] = aws.RoleFor(aws.PodIdentityRoles.GetValueOrDefault(ns + "/" + accountName));
            facts[^1] = aws.Cluster;
            return facts;
        }

        /// <summary>The claims and StorageClasses a workload's encryption.volumes verdict reads; null for a workload using none.</summary>
        private static object?[]? ClaimInputsOf(WorkloadView workload, ClusterSnapshot snapshot) =>
            EncryptionRules.UsesClaims(workload) ? snapshot.Infrastructure.ClaimInputsOf(workload) : null;

        private static V1ServiceAccount? ServiceAccountOf(WorkloadView workload, ClusterSnapshot snapshot) =>
            snapshot.FindServiceAccount(workload.Namespace, IrsaRules.ServiceAccountNameOf(workload.PodSpec));

        private static string RoleSharingOf(V1ServiceAccount? account, ClusterSnapshot snapshot) =>
            account is not null && ClusterSnapshot.RoleArnOf(account) is { } role ? snapshot.NamespacesUsingRoleText(role) : "";
    }
}
