using EksHardening.Operator.Facts;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Resilience;
using EksHardening.Operator.Rules;
using Polly;
using Polly.Retry;

namespace EksHardening.Operator.Aws;

/// <summary>Tuning of AWS fact collection.</summary>
public sealed class AwsFactCollectorOptions
{
    /// <summary>How long a failed lookup is remembered before it is tried again.</summary>
    public TimeSpan ErrorTtl { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Facts live this long when the policy sets no evaluationInterval.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Concurrent calls per AWS service.</summary>
    public int ConcurrencyPerService { get; set; } = 8;
    /// <summary>Region of the cluster when the policy names none (AWS_REGION).</summary>
    public string? DefaultRegion { get; set; }
    /// <summary>Extra rounds for a call still throttled after the client's own retries, and the first round's backoff (doubling, less up to half at random).</summary>
    public int ThrottledRetries { get; set; } = 3;
    public TimeSpan ThrottledBackoff { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Cluster name when the policy names none (the scan's --cluster-name).</summary>
    public string? DefaultClusterName { get; set; }
}

/// <summary>
/// Learns, before evaluation, the AWS facts a policy's rules need: for each image in scope its ECR repository,
/// the digest that runs (pod imageID, the reference, else DescribeImages by tag, batched), the scan-on-push
/// setting and the latest scan; for each IAM role its documents; the cluster's description and key rotation.
/// Every lookup is cached with the policy's evaluationInterval as TTL and coalesced across concurrent callers,
/// with a concurrency limit per service. A lookup that fails becomes a <see cref="FactError"/>, never a value.
/// </summary>
public sealed partial class AwsFactCollector
{
    /// <summary>The longest wait between the collector's own rounds for a throttled call (the SDK's backoff cap).</summary>
    private static readonly TimeSpan ThrottledBackoffCap = TimeSpan.FromSeconds(20);

    private readonly TimeProvider _clock;
    private readonly IEcrClient _ecr;
    private readonly IEksClient _eks;
    private readonly IIamClient _iam;
    private readonly IKmsClient _kms;
    private readonly IGuardDutyClient _guardDuty;
    private readonly ICloudTrailClient _cloudTrail;
    private readonly IEc2Client _ec2;
    private readonly ISsmClient _ssm;
    private readonly NodeCaches _nodeCaches;
    private readonly AwsFactCollectorOptions _options;
    private readonly Dictionary<string, SemaphoreSlim> _limits;
    private readonly ResiliencePipeline _throttledRounds;
    private readonly FactCache<(EcrRegistry, string, string), ScanLookup> _scans;
    private readonly FactCache<(EcrRegistry, string), EcrRepository> _repositories;
    private readonly FactCache<string, EcrRegistryScanningConfiguration> _registryScanning;
    private readonly FactCache<(EcrRegistry, string, string), TagLookup> _tags;
    private readonly FactCache<string, RoleDocuments> _roles;
    private readonly FactCache<(string, string), IamPolicyVersion> _managedPolicies;
    private readonly FactCache<(string, string), EksCluster> _clusters;
    private readonly FactCache<(string, string), KmsKeyRotation> _rotations;
    private readonly FactCache<(string, string), IReadOnlyDictionary<string, string>> _podIdentities;
    private readonly FactCache<(string Region, string Version), VersionLookup> _clusterVersions;
    private readonly FactCache<(string Region, string Cluster, string Version), IReadOnlyList<AddonFacts>> _addons;
    private readonly FactCache<string, IReadOnlyList<GuardDutyDetector>> _detectors;
    private readonly FactCache<string, IReadOnlyList<TrailFacts>> _trails;
    private readonly FactCache<(string Region, string Cluster), IReadOnlyList<AccessEntryFacts>> _accessEntries;
    private readonly Dictionary<string, (ImageFacts Facts, object?[] Inputs)> _imageMemo = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RoleFacts Facts, object? Input)> _roleMemo = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), (ClusterFacts Facts, object?[] Inputs)> _clusterMemo = [];
    private readonly Lock _memoLock = new();

    public AwsFactCollector(IEcrClient ecr, IEksClient eks, IIamClient iam, IKmsClient kms, IGuardDutyClient guardDuty, ICloudTrailClient cloudTrail,
        IEc2Client ec2, ISsmClient ssm, TimeProvider clock, AwsFactCollectorOptions? options = null)
    {
        _ec2 = ec2;
        _ssm = ssm;
        _clock = clock;
        _ecr = ecr;
        _eks = eks;
        _iam = iam;
        _kms = kms;
        _guardDuty = guardDuty;
        _cloudTrail = cloudTrail;
        _options = options ?? new AwsFactCollectorOptions();
        var errorTtl = _options.ErrorTtl;
        _scans = new(clock, errorTtl);
        _repositories = new(clock, errorTtl);
        _registryScanning = new(clock, errorTtl);
        _tags = new(clock, errorTtl);
        _roles = new(clock, errorTtl);
        _managedPolicies = new(clock, errorTtl);
        _clusters = new(clock, errorTtl);
        _rotations = new(clock, errorTtl);
        _podIdentities = new(clock, errorTtl);
        _clusterVersions = new(clock, errorTtl);
        _addons = new(clock, errorTtl);
        _detectors = new(clock, errorTtl);
        _trails = new(clock, errorTtl);
        _accessEntries = new(clock, errorTtl);
        _nodeCaches = new NodeCaches(clock, errorTtl);
        var throttledBackoff = new ExponentialBackoff(_options.ThrottledBackoff, ThrottledBackoffCap, Jitter: 0.5);
        _throttledRounds = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, _options.ThrottledRetries),
                ShouldHandle = args => ValueTask.FromResult(
                    _options.ThrottledRetries > 0 && args.Outcome.Exception is AwsServiceException { Kind: AwsErrorKind.Throttled }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(throttledBackoff.Delay(args.AttemptNumber, Random.Shared.NextDouble())),
            })
            .Build();
        _limits = new[] { AwsServices.Ecr, AwsServices.Eks, AwsServices.Iam, AwsServices.Kms, AwsServices.GuardDuty, AwsServices.CloudTrail, AwsServices.Ec2, AwsServices.Ssm }
            .ToDictionary(s => s, _ => new SemaphoreSlim(_options.ConcurrencyPerService), StringComparer.Ordinal);
    }

    /// <summary>How long a failed lookup is remembered: after that, the next evaluation tries AWS again.</summary>
    public TimeSpan ErrorTtl => _options.ErrorTtl;

    /// <summary>Hits and misses of each fact cache, named after what it holds (the metrics' <c>cache</c> label).</summary>
    public IReadOnlyList<(string Cache, long Hits, long Misses)> CacheCounts() =>
    [
        ("aws_ecr_scans", _scans.Hits, _scans.Misses),
        ("aws_ecr_repositories", _repositories.Hits, _repositories.Misses),
        ("aws_ecr_registry_scanning", _registryScanning.Hits, _registryScanning.Misses),
        ("aws_ecr_tags", _tags.Hits, _tags.Misses),
        ("aws_iam_roles", _roles.Hits, _roles.Misses),
        ("aws_iam_managed_policies", _managedPolicies.Hits, _managedPolicies.Misses),
        ("aws_eks_clusters", _clusters.Hits, _clusters.Misses),
        ("aws_eks_pod_identities", _podIdentities.Hits, _podIdentities.Misses),
        ("aws_kms_key_rotations", _rotations.Hits, _rotations.Misses),
        ("aws_eks_cluster_versions", _clusterVersions.Hits, _clusterVersions.Misses),
        ("aws_eks_addons", _addons.Hits, _addons.Misses),
        ("aws_eks_access_entries", _accessEntries.Hits, _accessEntries.Misses),
        ("aws_guardduty_detectors", _detectors.Hits, _detectors.Misses),
        ("aws_cloudtrail_trails", _trails.Hits, _trails.Misses),
        .. _nodeCaches.Counts(),
    ];

    /// <summary>The cached latest scan of an image, without calling AWS (the admission path); null when not cached or never scanned.</summary>
    public EcrScanFindings? CachedScan(EcrRegistry registry, string repository, string? digest, string? tag)
    {
        if (digest is null && tag is not null && _tags.TryPeek((registry, repository, tag), out var lookup)) digest = lookup?.Digest;
        return digest is not null && _scans.TryPeek((registry, repository, digest), out var scan) ? scan?.Findings : null;
    }

    /// <summary>Whether the policy has any rule that reads AWS facts.</summary>
    public static bool Needed(ResponsibilityPolicySpec spec) =>
        RuleCatalog.Families.SelectMany(f => f.EnabledRules(spec)).Any(r => r.RequiresAws)
        // encryption.volumes reads the region's EBS encryption by default when AWS is at hand.
        || spec.Encryption?.RequireEncryptedVolumes == true;

    public async Task<AwsFacts> CollectAsync(ResponsibilityPolicy policy, ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var spec = policy.Spec;
        var enabled = RuleCatalog.Families.SelectMany(f => f.EnabledRules(spec)).Where(r => r.RequiresAws).ToHashSet();
        var ttl = DurationParser.TryParse(spec.EvaluationInterval, out var interval) && interval > TimeSpan.Zero ? interval : _options.DefaultTtl;
        var scope = new PolicyScope(spec.Match);
        // Pods count whatever the kinds: a pod is reported on its owner when its own kind is out of scope.
        var workloads = snapshot.Workloads.Where(w => (scope.IncludesKind(w.Kind) || w.Object is V1Pod) && scope.IncludesNamespace(w.Namespace, snapshot)).ToList();

        var needScan = enabled.Contains(ImageScanRules.Scanned) || enabled.Contains(ImageScanRules.Vulnerabilities);
        var needConfig = enabled.Contains(ImageScanRules.ScanOnPush);
        var needTags = enabled.Contains(ImageScanRules.TagsImmutable);
        var needRoles = enabled.Any(r => r.Id.StartsWith("irsa.", StringComparison.Ordinal));
        var clusterName = spec.Cluster?.Name ?? _options.DefaultClusterName;
        var region = spec.Cluster?.Region ?? _options.DefaultRegion;
        var needCluster = enabled.Any(r => r.Scope == RuleScope.Cluster) || enabled.Contains(NodeInstanceRules.AmiRecommended) || (needRoles && clusterName is not null);

        var clusterTask = needCluster ? ClusterFactsAsync(clusterName, region, ClusterParts.Of(enabled), ttl, cancellationToken) : Task.FromResult<ClusterFacts?>(null);
        var podIdentityTask = needRoles && clusterName is not null && region is not null
            ? PodIdentityAsync(region, clusterName, ttl, cancellationToken)
            : Task.FromResult<(IReadOnlyDictionary<string, string>, FactError?)>((new Dictionary<string, string>(), null));

        var images = new Dictionary<string, ImageFacts>(StringComparer.Ordinal);
        if (needScan || needConfig || needTags)
        {
            var running = RunningDigests(snapshot);
            var distinct = workloads.SelectMany(w => w.Containers).Select(c => c.Image).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (needScan) await ResolveTagsAsync(distinct, running, ttl, cancellationToken).ConfigureAwait(false);
            var facts = await Task.WhenAll(distinct.Select(i => ImageFactsAsync(i, running.GetValueOrDefault(i), needConfig, needTags, needScan, ttl, cancellationToken))).ConfigureAwait(false);
            foreach (var fact in facts) images[fact.Image] = fact;
        }

        var (podIdentity, podIdentityError) = await podIdentityTask.ConfigureAwait(false);
        var roles = new Dictionary<string, RoleFacts>(StringComparer.Ordinal);
        if (needRoles)
        {
            var arns = workloads.Select(w => RoleArnOf(w, snapshot, podIdentity)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var facts = await Task.WhenAll(arns.Select(a => RoleFactsAsync(a, ttl, cancellationToken))).ConfigureAwait(false);
            foreach (var fact in facts) roles[fact.RoleArn] = fact;
        }

        PruneMemos(images.Keys, roles.Keys);
        var nodeParts = NodeParts.Of(enabled);
        var cluster = await clusterTask.ConfigureAwait(false);
        var nodesTask = nodeParts.Any && region is not null ? NodeFactsAsync(snapshot, region, cluster, nodeParts, ttl, cancellationToken) : Task.FromResult<NodeFacts?>(null);
        var ebsTask = region is not null && spec.Encryption?.RequireEncryptedVolumes == true ? EbsDefaultAsync(region, ttl, cancellationToken) : Task.FromResult<EbsDefaultEncryption?>(null);
        return new AwsFacts
        {
            Images = images,
            Roles = roles,
            PodIdentityRoles = podIdentity,
            PodIdentityError = podIdentityError,
            Cluster = cluster,
            Nodes = await nodesTask.ConfigureAwait(false),
            EbsDefault = await ebsTask.ConfigureAwait(false),
        };
    }

    private static string? RoleArnOf(WorkloadView workload, ClusterSnapshot snapshot, IReadOnlyDictionary<string, string> podIdentity)
    {
        var account = IrsaRules.ServiceAccountNameOf(workload.PodSpec);
        var sa = snapshot.FindServiceAccount(workload.Namespace, account);
        return (sa is null ? null : ClusterSnapshot.RoleArnOf(sa)) ?? podIdentity.GetValueOrDefault(workload.Namespace + "/" + account);
    }

    /// <summary>image → digest, from the pods' container statuses (imageID): the digest that actually runs.</summary>
    private static Dictionary<string, string> RunningDigests(ClusterSnapshot snapshot)
    {
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var workload in snapshot.Workloads)
        {
            if (workload.Object is not V1Pod { Status: { } status }) continue;
            foreach (var container in (status.ContainerStatuses ?? []).Concat(status.InitContainerStatuses ?? []))
            {
                var imageId = container.ImageID;
                var at = imageId?.LastIndexOf('@') ?? -1;
                if (container.Image is null || at < 0) continue;
                var digest = imageId![(at + 1)..];
                if (ImageReference.TryParse("x@" + digest, out _)?.HasValidDigest == true) digests.TryAdd(container.Image, digest);
                // Status may report the normalized name; index both spellings.
                var spec = workload.Containers.FirstOrDefault(c => c.Name == container.Name)?.Image;
                if (spec is not null && ImageReference.TryParse("x@" + digest, out _)?.HasValidDigest == true) digests.TryAdd(spec, digest);
            }
        }

        return digests;
    }

    /// <summary>Tags with no known digest are looked up in ECR with one DescribeImages per repository (100 ids per call).</summary>
    private async Task ResolveTagsAsync(IReadOnlyList<string> images, Dictionary<string, string> running, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<(EcrRegistry, string), HashSet<string>>();
        foreach (var image in images)
        {
            if (running.ContainsKey(image) || ImageReference.TryParse(image, out _) is not { } reference || reference.HasValidDigest) continue;
            if (!EcrRegistry.TryParse(reference.Registry, out var registry)) continue;
            var key = (registry, reference.Repository);
            if (_tags.TryPeek((registry, reference.Repository, reference.EffectiveTag), out _)) continue;
            if (!wanted.TryGetValue(key, out var tags)) wanted[key] = tags = new HashSet<string>(StringComparer.Ordinal);
            tags.Add(reference.EffectiveTag);
        }

        await Task.WhenAll(wanted.Select(async group =>
        {
            var ((registry, repository), tags) = (group.Key, group.Value);
            try
            {
                var details = await Limit(AwsServices.Ecr, () => _ecr.DescribeImagesAsync(registry, repository, tags.Select(EcrImageId.ByTag).ToList(), cancellationToken), cancellationToken).ConfigureAwait(false);
                foreach (var tag in tags)
                {
                    var match = details.FirstOrDefault(d => d.Tags.Contains(tag, StringComparer.Ordinal));
                    _tags.Set((registry, repository, tag), new TagLookup(match?.Digest), ttl);
                }
            }
            catch (AwsServiceException)
            {
                // Left uncached: the per-image lookup below retries and records the error.
            }
        })).ConfigureAwait(false);
    }

    private async Task<ImageFacts> ImageFactsAsync(string image, string? runningDigest, bool needConfig, bool needTags, bool needScan, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var reference = ImageReference.TryParse(image, out var problem);
        if (reference is null) return Memo(image, new ImageFacts { Image = image, NotEcrReason = problem }, [problem]);
        if (!EcrRegistry.TryParse(reference.Registry, out var registry))
        {
            var reason = $"{reference.Registry} is not an Amazon ECR registry, so ECR has no scan of it";
            return Memo(image, new ImageFacts { Image = image, NotEcrReason = reason }, [reason]);
        }

        var repository = reference.Repository;
        string? digest = null, digestSource = null;
        FactError? digestError = null;
        if (needScan)
        {
            if (reference.HasValidDigest) (digest, digestSource) = (reference.Digest, "image reference");
            else if (runningDigest is not null) (digest, digestSource) = (runningDigest, "running pod (imageID)");
            else
            {
                try
                {
                    var lookup = await _tags.GetAsync((registry, repository, reference.EffectiveTag), ttl,
                        k => Limit(AwsServices.Ecr, async () =>
                        {
                            var details = await _ecr.DescribeImagesAsync(registry, repository, [EcrImageId.ByTag(k.Item3)], cancellationToken).ConfigureAwait(false);
                            return new TagLookup(details.Count > 0 ? details[0].Digest : null);
                        }, cancellationToken)).ConfigureAwait(false);
                    if (lookup.Digest is null) digestError = new FactError(AwsServices.Ecr, "DescribeImages", nameof(AwsErrorKind.NotFound), $"tag {reference.EffectiveTag} is not in repository {repository}");
                    else (digest, digestSource) = (lookup.Digest, "ECR tag lookup");
                }
                catch (AwsServiceException e)
                {
                    digestError = e.ToFactError();
                }
            }
        }

        bool? scanOnPush = null;
        string? scanOnPushSource = null;
        string? tagMutability = null;
        FactError? configError = null;
        FactError? repositoryError = null;
        object? configInput = null;
        if (needConfig || needTags)
        {
            try
            {
                var repo = await _repositories.GetAsync((registry, repository), ttl,
                    _ => Limit(AwsServices.Ecr, async () => (await _ecr.DescribeRepositoriesAsync(registry, [repository], cancellationToken).ConfigureAwait(false)).Single(), cancellationToken)).ConfigureAwait(false);
                configInput = repo;
                tagMutability = needTags ? repo.ImageTagMutability : null;
                if (needConfig && repo.ScanOnPush) (scanOnPush, scanOnPushSource) = (true, "repository scanOnPush");
                else if (needConfig)
                {
                    var registryConfig = await _registryScanning.GetAsync(registry.Region, ttl,
                        _ => Limit(AwsServices.Ecr, () => _ecr.GetRegistryScanningConfigurationAsync(registry.Region, cancellationToken), cancellationToken)).ConfigureAwait(false);
                    configInput = (repo, registryConfig);
                    var rule = registryConfig.RegistryId == registry.AccountId ? CoveringRule(registryConfig, repository) : null;
                    (scanOnPush, scanOnPushSource) = rule is null ? (false, null) : (true, $"registry {registryConfig.ScanType} scanning rule {rule.ScanFrequency}");
                }
            }
            catch (AwsServiceException e)
            {
                // DescribeRepositories or, for scan-on-push, the registry's scanning rules.
                configError = needConfig ? e.ToFactError() : null;
                repositoryError = tagMutability is null && needTags ? e.ToFactError() : null;
            }
        }

        ScanLookup? scan = null;
        FactError? scanError = null;
        if (needScan && digest is not null)
        {
            try
            {
                scan = await _scans.GetAsync((registry, repository, digest), ttl, k => Limit(AwsServices.Ecr, async () =>
                {
                    try
                    {
                        return new ScanLookup(await _ecr.DescribeImageScanFindingsAsync(registry, repository, EcrImageId.ByDigest(k.Item3), cancellationToken).ConfigureAwait(false));
                    }
                    catch (AwsServiceException e) when (e.ErrorCode == "ScanNotFoundException")
                    {
                        return new ScanLookup(null);   // a fact, not a failure: the image was never scanned
                    }
                }, cancellationToken)).ConfigureAwait(false);
            }
            catch (AwsServiceException e)
            {
                scanError = e.ToFactError();
            }
        }

        var facts = new ImageFacts
        {
            Image = image,
            Registry = registry,
            Repository = repository,
            Digest = digest,
            DigestSource = digestSource,
            DigestError = digestError,
            ScanOnPush = scanOnPush,
            ScanOnPushSource = scanOnPushSource,
            ScanConfigError = configError,
            TagMutability = tagMutability,
            RepositoryError = repositoryError,
            Scan = scan?.Findings,
            NeverScanned = scan is { Findings: null },
            ScanError = scanError,
        };
        return (digestError ?? configError ?? repositoryError ?? scanError) is not null
            ? facts
            : Memo(image, facts, [digest, digestSource, configInput, scan]);
    }

    /// <summary>
    /// Keeps the memo tables (which hold scan findings) from growing with every image ever seen: once they are well
    /// past what this collection needed, entries it did not use go. Another policy's entries are simply rebuilt.
    /// </summary>
    private void PruneMemos(IEnumerable<string> images, IEnumerable<string> roles)
    {
        lock (_memoLock)
        {
            var keepImages = images.ToHashSet(StringComparer.Ordinal);
            if (_imageMemo.Count > 2 * keepImages.Count + 1000)
            {
                foreach (var key in _imageMemo.Keys.Where(k => !keepImages.Contains(k)).ToList()) _imageMemo.Remove(key);
            }

            var keepRoles = roles.ToHashSet(StringComparer.Ordinal);
            if (_roleMemo.Count > 2 * keepRoles.Count + 1000)
            {
                foreach (var key in _roleMemo.Keys.Where(k => !keepRoles.Contains(k)).ToList()) _roleMemo.Remove(key);
            }
        }
    }

    /// <summary>The same facts object for as long as its inputs are the same cached objects.</summary>
    private ImageFacts Memo(string image, ImageFacts fresh, object?[] inputs)
    {
        lock (_memoLock)
        {
            if (_imageMemo.TryGetValue(image, out var known) && known.Inputs.Length == inputs.Length
                && known.Inputs.Zip(inputs).All(p => p.First is string a ? a.Equals(p.Second) : ReferenceEquals(p.First, p.Second)))
            {
                return known.Facts;
            }

            _imageMemo[image] = (fresh, inputs);
            return fresh;
        }
    }

    private static EcrScanningRule? CoveringRule(EcrRegistryScanningConfiguration config, string repository) =>
        config.Rules.FirstOrDefault(r => r.ScanFrequency is "SCAN_ON_PUSH" or "CONTINUOUS_SCAN"
                                         && r.RepositoryFilters.Any(f => Wildcard(f.Filter, repository)));

    /// <summary>ECR's WILDCARD filter: <c>*</c> matches any run of characters.</summary>
    private static bool Wildcard(string filter, string name)
    {
        var pattern = "^" + System.Text.RegularExpressions.Regex.Escape(filter).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(name, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }

    private async Task<RoleFacts> RoleFactsAsync(string arn, TimeSpan ttl, CancellationToken cancellationToken)
    {
        try
        {
            var documents = await _roles.GetAsync(arn, ttl, a => FetchRoleAsync(a, ttl, cancellationToken)).ConfigureAwait(false);
            lock (_memoLock)
            {
                if (_roleMemo.TryGetValue(arn, out var known) && ReferenceEquals(known.Input, documents)) return known.Facts;
                var facts = new RoleFacts { RoleArn = arn, Role = documents.Role, InlinePolicies = documents.Inline, AttachedPolicies = documents.Attached };
                _roleMemo[arn] = (facts, documents);
                return facts;
            }
        }
        catch (AwsServiceException e)
        {
            return new RoleFacts { RoleArn = arn, Error = e.ToFactError() };
        }
    }

    private async Task<RoleDocuments> FetchRoleAsync(string arn, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (!IamRoleArn.TryParse(arn, out var parsed))
        {
            throw new AwsServiceException(AwsErrorKind.Invalid, AwsServices.Iam, "GetRole", $"'{arn}' is not an IAM role ARN");
        }

        var name = parsed.RoleName;
        var role = await Limit(AwsServices.Iam, () => _iam.GetRoleAsync(name, cancellationToken), cancellationToken).ConfigureAwait(false);
        var inlineNames = await Limit(AwsServices.Iam, () => _iam.ListRolePoliciesAsync(name, cancellationToken), cancellationToken).ConfigureAwait(false);
        var inline = await Task.WhenAll(inlineNames.Select(p => Limit(AwsServices.Iam, () => _iam.GetRolePolicyAsync(name, p, cancellationToken), cancellationToken))).ConfigureAwait(false);
        var attached = await Limit(AwsServices.Iam, () => _iam.ListAttachedRolePoliciesAsync(name, cancellationToken), cancellationToken).ConfigureAwait(false);
        var documents = await Task.WhenAll(attached.Select(async a =>
        {
            var policy = await Limit(AwsServices.Iam, () => _iam.GetPolicyAsync(a.PolicyArn, cancellationToken), cancellationToken).ConfigureAwait(false);
            // Managed policies (AdministratorAccess, ...) are shared by many roles: one fetch per version.
            var version = await _managedPolicies.GetAsync((a.PolicyArn, policy.DefaultVersionId), ttl,
                k => Limit(AwsServices.Iam, () => _iam.GetPolicyVersionAsync(k.Item1, k.Item2, cancellationToken), cancellationToken)).ConfigureAwait(false);
            return (a, (string?)version.Document);
        })).ConfigureAwait(false);
        return new RoleDocuments(role, inline, documents);
    }

    private async Task<ClusterFacts?> ClusterFactsAsync(string? name, string? region, ClusterParts parts, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (name is null || region is null) return null;
        // GuardDuty and CloudTrail are the region's, whatever DescribeCluster answers.
        var detectorsTask = parts.Detectors ? Part(() => _detectors.GetAsync(region, ttl, r => DetectorsAsync(r, cancellationToken))) : NotAsked<IReadOnlyList<GuardDutyDetector>>();
        var trailsTask = parts.Trails ? Part(() => _trails.GetAsync(region, ttl, r => TrailsAsync(r, cancellationToken))) : NotAsked<IReadOnlyList<TrailFacts>>();
        EksCluster cluster;
        try
        {
            cluster = await _clusters.GetAsync((region, name), ttl, k => Limit(AwsServices.Eks, () => _eks.DescribeClusterAsync(k.Item1, k.Item2, cancellationToken), cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            var (detectorsFailed, detectorsFailure) = await detectorsTask.ConfigureAwait(false);
            var (trailsFailed, trailsFailure) = await trailsTask.ConfigureAwait(false);
            return new ClusterFacts
            {
                Name = name, Region = region, ClusterError = e.ToFactError(),
                Detectors = detectorsFailed, DetectorsError = detectorsFailure, Trails = trailsFailed, TrailsError = trailsFailure,
            };
        }

        var rotationTask = cluster.SecretsKeyArn is { } key
            ? Part(() => _rotations.GetAsync((region, key), ttl, k => Limit(AwsServices.Kms, () => _kms.GetKeyRotationStatusAsync(k.Item1, k.Item2, cancellationToken), cancellationToken)))
            : NotAsked<KmsKeyRotation>();
        var version = cluster.Version;
        var versionTask = parts.Version && version is not null
            ? Part(() => _clusterVersions.GetAsync((region, version), ttl, k => VersionAsync(k.Region, k.Version, cancellationToken)))
            : NotAsked<VersionLookup>();
        var addonsTask = parts.Addons && version is not null
            ? Part(() => _addons.GetAsync((region, name, version), ttl, k => AddonsAsync(k.Region, k.Cluster, k.Version, cancellationToken)))
            : NotAsked<IReadOnlyList<AddonFacts>>();
        var accessTask = parts.AccessEntries && !string.Equals(cluster.AuthenticationMode, "CONFIG_MAP", StringComparison.Ordinal)
            ? Part(() => _accessEntries.GetAsync((region, name), ttl, k => AccessEntriesAsync(k.Region, k.Cluster, cancellationToken)))
            : NotAsked<IReadOnlyList<AccessEntryFacts>>();
        var (rotation, rotationError) = await rotationTask.ConfigureAwait(false);
        var (versionLookup, versionError) = await versionTask.ConfigureAwait(false);
        var (addons, addonsError) = await addonsTask.ConfigureAwait(false);
        var (entries, entriesError) = await accessTask.ConfigureAwait(false);
        var (detectors, detectorsError) = await detectorsTask.ConfigureAwait(false);
        var (trails, trailsError) = await trailsTask.ConfigureAwait(false);
        object?[] inputs = [cluster, rotation, rotationError, versionLookup, versionError, addons, addonsError, entries, entriesError, detectors, detectorsError, trails, trailsError];
        lock (_memoLock)
        {
            // The same facts object while the cached inputs are the same, so cached workload findings stay valid.
            if (_clusterMemo.TryGetValue((region, name), out var known) && FindingsCache.SameItems(known.Inputs, inputs)) return known.Facts;
            var facts = new ClusterFacts
            {
                Name = name, Region = region, Cluster = cluster,
                KeyRotation = rotation, KeyRotationError = rotationError,
                VersionSupport = versionLookup?.Version, VersionSupportCollected = versionLookup is not null, VersionSupportError = versionError,
                Addons = addons, AddonsError = addonsError,
                AccessEntries = entries, AccessEntriesError = entriesError,
                Detectors = detectors, DetectorsError = detectorsError,
                Trails = trails, TrailsError = trailsError,
            };
            _clusterMemo[(region, name)] = (facts, inputs);
            return facts;
        }
    }

    /// <summary>A part of the cluster's facts: its value, or the error that took its place.</summary>
    private static async Task<(T? Value, FactError? Error)> Part<T>(Func<Task<T>> lookup) where T : class
    {
        try
        {
            return (await lookup().ConfigureAwait(false), null);
        }
        catch (AwsServiceException e)
        {
            return (null, e.ToFactError());
        }
    }

    private static Task<(T? Value, FactError? Error)> NotAsked<T>() where T : class => Task.FromResult<(T?, FactError?)>((null, null));

    private async Task<VersionLookup> VersionAsync(string region, string version, CancellationToken cancellationToken)
    {
        var versions = await Limit(AwsServices.Eks, () => _eks.DescribeClusterVersionsAsync(region, version, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new VersionLookup(versions.FirstOrDefault(v => string.Equals(v.Version, version, StringComparison.Ordinal)));
    }

    /// <summary>Each installed add-on with EKS's default version of it for the cluster's Kubernetes version.</summary>
    private async Task<IReadOnlyList<AddonFacts>> AddonsAsync(string region, string cluster, string version, CancellationToken cancellationToken)
    {
        var names = await Limit(AwsServices.Eks, () => _eks.ListAddonsAsync(region, cluster, cancellationToken), cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(names.Select(async addonName =>
        {
            var addon = await Limit(AwsServices.Eks, () => _eks.DescribeAddonAsync(region, cluster, addonName, cancellationToken), cancellationToken).ConfigureAwait(false);
            try
            {
                var versions = await Limit(AwsServices.Eks, () => _eks.DescribeAddonVersionsAsync(region, addonName, version, cancellationToken), cancellationToken).ConfigureAwait(false);
                return new AddonFacts(addon, versions.FirstOrDefault(v => v.IsDefault)?.Version);
            }
            catch (AwsServiceException e)
            {
                return new AddonFacts(addon, null, e.ToFactError());
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Each access entry's principal with its associated access policies.</summary>
    private async Task<IReadOnlyList<AccessEntryFacts>> AccessEntriesAsync(string region, string cluster, CancellationToken cancellationToken)
    {
        var principals = await Limit(AwsServices.Eks, () => _eks.ListAccessEntriesAsync(region, cluster, cancellationToken), cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(principals.Select(async principal =>
        {
            try
            {
                var policies = await Limit(AwsServices.Eks, () => _eks.ListAssociatedAccessPoliciesAsync(region, cluster, principal, cancellationToken), cancellationToken).ConfigureAwait(false);
                return new AccessEntryFacts(principal, policies);
            }
            catch (AwsServiceException e)
            {
                return new AccessEntryFacts(principal, [], e.ToFactError());
            }
        })).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<GuardDutyDetector>> DetectorsAsync(string region, CancellationToken cancellationToken)
    {
        var ids = await Limit(AwsServices.GuardDuty, () => _guardDuty.ListDetectorsAsync(region, cancellationToken), cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(ids.Select(id => Limit(AwsServices.GuardDuty, () => _guardDuty.GetDetectorAsync(region, id, cancellationToken), cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The trails that cover the region, each with its status and selectors asked in its home region.</summary>
    private async Task<IReadOnlyList<TrailFacts>> TrailsAsync(string region, CancellationToken cancellationToken)
    {
        var trails = await Limit(AwsServices.CloudTrail, () => _cloudTrail.DescribeTrailsAsync(region, cancellationToken), cancellationToken).ConfigureAwait(false);
        var covering = trails.Where(t => t.IsMultiRegionTrail || string.Equals(t.HomeRegion, region, StringComparison.Ordinal));
        return await Task.WhenAll(covering.Select(async trail =>
        {
            var home = trail.HomeRegion ?? region;
            try
            {
                var logging = await Limit(AwsServices.CloudTrail, () => _cloudTrail.GetTrailIsLoggingAsync(home, trail.Arn, cancellationToken), cancellationToken).ConfigureAwait(false);
                var selectors = await Limit(AwsServices.CloudTrail, () => _cloudTrail.GetEventSelectorsAsync(home, trail.Arn, cancellationToken), cancellationToken).ConfigureAwait(false);
                return new TrailFacts(trail, logging, selectors);
            }
            catch (AwsServiceException e)
            {
                return new TrailFacts(trail, null, null, e.ToFactError());
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Which optional parts of the cluster's facts the policy's rules read.</summary>
    private readonly record struct ClusterParts(bool Version, bool Addons, bool AccessEntries, bool Detectors, bool Trails)
    {
        public static ClusterParts Of(HashSet<RuleDefinition> enabled) => new(
            enabled.Contains(ClusterLifecycleRules.VersionSupported), enabled.Contains(ClusterLifecycleRules.AddonsCurrent),
            enabled.Contains(ClusterAccessRules.ClusterAdmins), enabled.Contains(ClusterDetectionRules.ThreatDetection), enabled.Contains(ClusterDetectionRules.AuditTrail));
    }

    /// <summary>DescribeClusterVersions' entry for one version; null when EKS does not list it.</summary>
    private sealed record VersionLookup(EksClusterVersion? Version);

    private async Task<(IReadOnlyDictionary<string, string>, FactError?)> PodIdentityAsync(string region, string cluster, TimeSpan ttl, CancellationToken cancellationToken)
    {
        try
        {
            var roles = await _podIdentities.GetAsync((region, cluster), ttl, async _ =>
            {
                var summaries = await Limit(AwsServices.Eks, () => _eks.ListPodIdentityAssociationsAsync(region, cluster, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                var associations = await Task.WhenAll(summaries.Select(s => Limit(AwsServices.Eks,
                    () => _eks.DescribePodIdentityAssociationAsync(region, cluster, s.AssociationId, cancellationToken), cancellationToken))).ConfigureAwait(false);
                return (IReadOnlyDictionary<string, string>)associations.ToDictionary(a => a.Namespace + "/" + a.ServiceAccount, a => a.RoleArn, StringComparer.Ordinal);
            }).ConfigureAwait(false);
            return (roles, null);
        }
        catch (AwsServiceException e)
        {
            return (new Dictionary<string, string>(), e.ToFactError());
        }
    }

    /// <summary>
    /// One call under the service's concurrency limit. The client has already retried a throttled call the SDK's
    /// way; when a storm outlasts those attempts, the collector waits out a longer backoff (outside the limit)
    /// a few more times rather than turn a fact into an error because of congestion alone. Every wait, for the
    /// limit or the backoff, ends when <paramref name="cancellationToken"/> fires.
    /// </summary>
    internal Task<T> Limit<T>(string service, Func<Task<T>> call, CancellationToken cancellationToken) =>
        _throttledRounds.ExecuteAsync(static async (state, token) =>
        {
            await state.Gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                return await state.Call().ConfigureAwait(false);
            }
            finally
            {
                state.Gate.Release();
            }
        }, (Gate: _limits[service], Call: call), cancellationToken).AsTask();

    private sealed record ScanLookup(EcrScanFindings? Findings);

    private sealed record TagLookup(string? Digest);

    private sealed record RoleDocuments(IamRole Role, IReadOnlyList<IamRolePolicy> Inline, IReadOnlyList<(IamAttachedPolicy Policy, string? Document)> Attached);
}
