using EksHardening.Operator.Facts;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Admission;

/// <summary>
/// Decides one admission request against the policies in force: pure (the clock is injected, the cluster state
/// and image facts come from memory), so that a table of AdmissionReview documents can test it without a server.
/// </summary>
/// <remarks>
/// Per policy whose match selects the object: the admission-decidable rules (<see cref="AdmissionRules"/>) run
/// on the object's pod template through the rule engine, image scan facts are compared with the policy's
/// thresholds, exemptions apply, and the mode decides: Enforce denies on any failure, Warn allows with one
/// warning per failed rule, Audit stays silent. A rule that cannot be decided (ServiceAccount not cached yet)
/// warns and never denies. Updates that leave the pod template unchanged, and objects being deleted, are
/// allowed untouched so that controllers can always scale, relabel and finalize existing workloads (running
/// workloads are reported, never blocked). Bindings, aws-auth, StorageClasses, claims, Ingresses and Services are
/// judged by their object-scoped rules (<see cref="AdmittedObject"/>); an update of one is denied only for failures
/// it brings (those its old version had already are warned), so that an object that was already at fault can still
/// be partly fixed, finalized, or, for aws-auth, given the node roles of a new node group.
/// </remarks>
public sealed class AdmissionDecider(TimeProvider clock)
{
    private static readonly ConditionalWeakTable<ResponsibilityPolicySpec, AdmissionPlan> Plans = [];
    private static readonly ConditionalWeakTable<ResponsibilityPolicySpec, ConcurrentDictionary<string, AdmissionPlan>> ObjectPlans = [];

    /// <summary>Paths listed per rule in a denial; the rest are counted.</summary>
    private const int PathsPerRule = 3;

    /// <exception cref="AdmissionReviewException">The object of a judged request cannot be read as its kind.</exception>
    public AdmissionDecision Decide(AdmissionRequest request, IReadOnlyList<ResponsibilityPolicy> policies, IAdmissionContext context, IImageFacts images)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(images);

        if (request.Operation is not (AdmissionOperation.Create or AdmissionOperation.Update))
        {
            return AdmissionDecision.Skip("operation is not checked");
        }

        var kind = AdmittedKinds.Find(request.Kind, request.SubResource);
        if (kind is null)
        {
            return AdmissionDecision.Skip(request.SubResource is null ? "kind is not checked" : "subresource is not checked");
        }

        if (!policies.Any(p => p.Spec is { Mode: not PolicyMode.Audit }))
        {
            return AdmissionDecision.Skip("no Warn or Enforce policy");
        }

        if (request.Object is not { } objectJson) throw new AdmissionReviewException("request.object is required for CREATE and UPDATE");
        var oldJson = request.Operation == AdmissionOperation.Update ? request.OldObject : null;
        if (oldJson is { } old && !kind.IsObject && AdmittedKinds.TemplateUnchanged(kind, objectJson, old))
        {
            return AdmissionDecision.Skip("pod template unchanged");
        }

        if (oldJson is { } oldObject && kind.IsObject && AdmittedKinds.InputsUnchanged(kind, objectJson, oldObject))
        {
            return AdmissionDecision.Skip("judged fields unchanged");
        }

        var obj = Read(kind, objectJson, request, "request.object");
        if (request.Operation == AdmissionOperation.Update && obj.Metadata.DeletionTimestamp is not null)
        {
            return AdmissionDecision.Skip("object is being deleted");
        }

        return kind.IsObject
            ? DecideObject(kind, obj, oldJson, request, policies, context.Snapshot)
            : DecideWorkload(kind, obj, request, policies, context.Snapshot, images);
    }

    private AdmissionDecision DecideWorkload(AdmittedKinds.AdmittedKind kind, IKubernetesObject<V1ObjectMeta> obj, AdmissionRequest request,
        IReadOnlyList<ResponsibilityPolicy> policies, ClusterSnapshot snapshot, IImageFacts images)
    {
        var workload = WorkloadView.TryCreate(obj) ?? throw new AdmissionReviewException($"request.object is not a valid {kind.Kind}");
        var now = clock.GetUtcNow();
        var tally = new Tally();
        Dictionary<string, ImageScanFacts>? factsByImage = null;

        foreach (var policy in policies)
        {
            var spec = policy.Spec;
            if (spec is null || spec.Mode == PolicyMode.Audit) continue;
            var scope = new PolicyScope(spec.Match);
            if (!scope.IncludesKind(kind.Kind) || !scope.IncludesNamespace(workload.Namespace, snapshot)) continue;
            var plan = Plans.GetValue(spec, AdmissionRules.PlanFor);
            if (plan.IsEmpty) continue;

            var findings = Evaluate(plan, spec, snapshot, workload, now);
            if (plan.VulnerabilityThresholds is { } thresholds)
            {
                factsByImage ??= new Dictionary<string, ImageScanFacts>(StringComparer.Ordinal);
                AddImageFindings(findings, workload, spec, thresholds, images, factsByImage);
            }

            if (spec.Exemptions is { Count: > 0 })
            {
                findings = new Exemptions(spec.Exemptions, now).Apply(findings, workload.Namespace, workload.Metadata.Labels, workload.PodLabels, isWorkload: true);
            }

            tally.Add(policy.Metadata?.Name ?? "", spec.Mode, findings, before: null);
        }

        return tally.Decision($"{kind.Kind} {workload.Namespace}/{DisplayName(obj, request)}");
    }

    /// <summary>
    /// A binding, aws-auth, a StorageClass, a claim, an Ingress or a Service. Cluster-scoped objects and aws-auth are
    /// judged whatever the policy's match says (cluster duties); namespaced ones follow its namespaces, as the
    /// families decide. Exemptions apply by namespace and rule, as in the reconciler's report.
    /// </summary>
    private AdmissionDecision DecideObject(AdmittedKinds.AdmittedKind kind, IKubernetesObject<V1ObjectMeta> obj, JsonElement? oldJson, AdmissionRequest request,
        IReadOnlyList<ResponsibilityPolicy> policies, ClusterSnapshot snapshot)
    {
        if (obj is V1ConfigMap && !AdmittedObject.IsAwsAuth(obj)) return AdmissionDecision.Skip("only the ConfigMap kube-system/aws-auth is checked");
        var admitted = AdmittedObject.Of(obj, snapshot);
        AdmittedObject? previous = null;
        if (oldJson is { } oldElement)
        {
            var old = Read(kind, oldElement, request, "request.oldObject");
            if (obj is V1PersistentVolumeClaim claim && old is V1PersistentVolumeClaim oldClaim && AdmittedObject.SameClass(claim, oldClaim, snapshot))
            {
                return AdmissionDecision.Skip("storage class unchanged");
            }

            previous = AdmittedObject.Of(old, snapshot);
        }

        var ns = kind.ClusterScoped ? null : obj.Metadata.NamespaceProperty;
        var now = clock.GetUtcNow();
        var tally = new Tally();
        foreach (var policy in policies)
        {
            var spec = policy.Spec;
            if (spec is null || spec.Mode == PolicyMode.Audit) continue;
            var plan = ObjectPlans.GetValue(spec, static _ => new ConcurrentDictionary<string, AdmissionPlan>(StringComparer.Ordinal))
                .GetOrAdd(kind.Kind, static (k, s) => AdmissionRules.ObjectPlanFor(s, k), spec);
            if (plan.IsEmpty) continue;
            var scope = new PolicyScope(spec.Match);
            bool InScope(string name) => scope.IncludesNamespace(name, snapshot);
            if (admitted.Evaluate(plan, spec, InScope, now) is not { } findings) continue;
            if (spec.Exemptions is { Count: > 0 })
            {
                findings = new Exemptions(spec.Exemptions, now).Apply(findings, ns ?? "", obj.Metadata.Labels, null, isWorkload: false);
            }

            var before = previous?.Evaluate(plan, spec, InScope, now)?.Where(f => f.Result == FindingResult.Fail).Select(f => (f.Rule.Id, f.Message)).ToHashSet();
            tally.Add(policy.Metadata?.Name ?? "", spec.Mode, findings, before);
        }

        var name = DisplayName(obj, request);
        return tally.Decision(ns is null ? $"{kind.Kind} {name}" : $"{kind.Kind} {ns}/{name}");
    }

    /// <summary>The verdicts of the policies that judged one object, folded into one decision.</summary>
    private sealed class Tally
    {
        private readonly List<string> _denials = [];
        private readonly List<string> _deniedBy = [];
        private readonly List<string> _warnings = [];
        private readonly SortedSet<string> _failedRules = new(StringComparer.Ordinal);

        /// <param name="before">Failures (rule id, message) the old version of an updated object had: warned, not denied.</param>
        public void Add(string policy, PolicyMode mode, List<Finding> findings, HashSet<(string Rule, string Message)>? before)
        {
            bool HadBefore(Finding f) => before?.Contains((f.Rule.Id, f.Message)) == true;
            var failed = Group(findings.Where(f => f.Result == FindingResult.Fail && !HadBefore(f)));
            var kept = Group(findings.Where(f => f.Result == FindingResult.Fail && HadBefore(f)));
            foreach (var (rule, _) in failed.Concat(kept)) _failedRules.Add(rule.Id);
            if (failed.Count > 0 && mode == PolicyMode.Enforce)
            {
                _deniedBy.Add(policy);
                _denials.Add(DenialOf(policy, failed));
            }
            else
            {
                foreach (var (rule, list) in failed) _warnings.Add(WarningOf(policy, rule, list, ""));
            }

            foreach (var (rule, list) in kept) _warnings.Add(WarningOf(policy, rule, list, "already so before this update: "));
            foreach (var (rule, list) in Group(findings.Where(f => f.Result == FindingResult.Error)))
            {
                _warnings.Add(WarningOf(policy, rule, list, "could not be decided: "));
            }
        }

        /// <param name="subject">How the message names the object: "Deployment shop/web", "ClusterRoleBinding ci-admin".</param>
        public AdmissionDecision Decision(string subject)
        {
            var cappedWarnings = AdmissionText.CapWarnings(_warnings);
            if (_denials.Count == 0) return AdmissionDecision.Allow(cappedWarnings) with { FailedRules = [.. _failedRules] };

            var message = AdmissionText.Clean($"{subject} violates {string.Join(" | ", _denials)}", AdmissionText.MaxMessageLength);
            return AdmissionDecision.Deny(message, cappedWarnings) with { DeniedBy = _deniedBy, FailedRules = [.. _failedRules] };
        }
    }

    private static List<Finding> Evaluate(AdmissionPlan plan, ResponsibilityPolicySpec spec, ClusterSnapshot snapshot, WorkloadView workload, DateTimeOffset now)
    {
        if (plan.Rules.Count == 0) return [];
        // Nothing of a decision outlives the request: sharing its findings would only cost their hashing.
        var collector = new FindingCollector(share: false);
        var context = new WorkloadContext(spec, snapshot, workload, now);
        foreach (var family in plan.Families) family.EvaluateWorkload(context, collector);
        return collector.Complete(plan.Rules);
    }

    /// <summary>image.vulnerabilities: known findings over the thresholds fail; unknown images fail only under <c>unknownImages: Deny</c>.</summary>
    private static void AddImageFindings(List<Finding> findings, WorkloadView workload, ResponsibilityPolicySpec spec, VulnerabilityThresholds thresholds,
        IImageFacts images, Dictionary<string, ImageScanFacts> factsByImage)
    {
        var rule = AdmissionRules.ImageVulnerabilities;
        var denyUnknown = spec.Admission?.UnknownImages == UnknownImageAction.Deny;
        var ignored = spec.ImageScanning?.IgnoreFindings is { Count: > 0 } ids
            ? new HashSet<string>(ids, StringComparer.OrdinalIgnoreCase)
            : (IReadOnlySet<string>)EmptySet;
        foreach (var container in workload.Containers)
        {
            var path = container.Path + ".image";
            var image = ImageReference.TryParse(container.Image, out var problem);
            if (image is null)
            {
                // As in the reconciler: the kubelet refuses it, so no rule on it holds.
                findings.Add(new Finding(rule, FindingResult.Fail, $"{container.Label}: {problem}", path, container.Image));
                continue;
            }

            if (!factsByImage.TryGetValue(image.Written, out var facts))
            {
                factsByImage[image.Written] = facts = images.Lookup(image.Location);
            }

            if (!facts.IsKnown)
            {
                if (denyUnknown)
                {
                    findings.Add(new Finding(rule, FindingResult.Fail,
                        $"{container.Label}: scan findings of image {image.Written} are not known yet (admission.unknownImages: Deny)", path, image.Written));
                }

                continue;
            }

            var over = new List<string>(4);
            Check(Severity.Critical, thresholds.Critical);
            Check(Severity.High, thresholds.High);
            Check(Severity.Medium, thresholds.Medium);
            Check(Severity.Low, thresholds.Low);
            if (over.Count > 0)
            {
                findings.Add(new Finding(rule, FindingResult.Fail,
                    $"{container.Label}: image {image.Written} has {string.Join(", ", over)} findings (scanned {facts.ScannedAt:yyyy-MM-dd})", path, image.Written));
            }

            void Check(Severity severity, int? max)
            {
                if (max is not { } limit) return;
                var count = facts.CountedFindings(severity, ignored);
                if (count > limit) over.Add($"{count} {severity.ToString().ToLowerInvariant()} (max {limit})");
            }
        }
    }

    private static readonly HashSet<string> EmptySet = [];

    /// <summary>Findings grouped by rule in first-seen order.</summary>
    private static List<(RuleDefinition Rule, List<Finding> Findings)> Group(IEnumerable<Finding> findings)
    {
        var groups = new List<(RuleDefinition, List<Finding>)>();
        foreach (var finding in findings)
        {
            var index = IndexOfRule(groups, finding.Rule);
            if (index < 0) groups.Add((finding.Rule, [finding]));
            else groups[index].Item2.Add(finding);
        }

        return groups;
    }

    /// <remarks>A loop, not FindIndex with a lambda: the lambda would capture the rule, one closure per finding.</remarks>
    private static int IndexOfRule(List<(RuleDefinition Rule, List<Finding> Findings)> groups, RuleDefinition rule)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            if (ReferenceEquals(groups[i].Rule, rule)) return i;
        }

        return -1;
    }

    /// <summary>"ResponsibilityPolicy prod (Enforce): pss.privileged at spec.containers[0].securityContext.privileged; ...".</summary>
    private static string DenialOf(string policy, List<(RuleDefinition Rule, List<Finding> Findings)> failed)
    {
        var text = new StringBuilder();
        text.Append("ResponsibilityPolicy ").Append(policy).Append(" (Enforce): ");
        for (var i = 0; i < failed.Count; i++)
        {
            if (i > 0) text.Append("; ");
            var (rule, list) = failed[i];
            text.Append(rule.Id);
            var paths = list.Select(f => f.Path).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (paths.Count > 0)
            {
                text.Append(" at ").AppendJoin(", ", paths.Take(PathsPerRule));
                if (paths.Count > PathsPerRule) text.Append(" (+").Append(paths.Count - PathsPerRule).Append(" more)");
            }
        }

        return text.ToString();
    }

    /// <summary>"[prod] image.tag-not-latest: container web uses :latest (nginx:latest) (+1 more)".</summary>
    private static string WarningOf(string policy, RuleDefinition rule, List<Finding> findings, string lead)
    {
        var more = findings.Count > 1 ? $" (+{findings.Count - 1} more)" : "";
        var text = $"[{policy}] {rule.Id}: {lead}{findings[0].Message}";
        return AdmissionText.Clean(text, AdmissionText.MaxWarningLength - more.Length) + more;
    }

    /// <param name="field">Where the object sits in the request, for the error: request.object or request.oldObject.</param>
    private static IKubernetesObject<V1ObjectMeta> Read(AdmittedKinds.AdmittedKind kind, JsonElement json, AdmissionRequest request, string field)
    {
        IKubernetesObject<V1ObjectMeta>? obj;
        try
        {
            obj = kind.Read(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException or OverflowException)
        {
            throw new AdmissionReviewException($"{field} is not a valid {kind.Kind}");
        }

        if (obj is null) throw new AdmissionReviewException($"{field} is not a valid {kind.Kind}");
        // The request's kind is authoritative (matchPolicy Equivalent converts); the namespace may be missing on create.
        obj.ApiVersion = kind.ApiVersion;
        obj.Kind = kind.Kind;
        obj.Metadata ??= new V1ObjectMeta();
        if (!kind.ClusterScoped && string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) && request.Namespace is { } ns) obj.Metadata.NamespaceProperty = ns;
        if (string.IsNullOrEmpty(obj.Metadata.Name) && request.Name is { } name) obj.Metadata.Name = name;
        return obj;
    }

    private static string DisplayName(IKubernetesObject<V1ObjectMeta> obj, AdmissionRequest request) =>
        obj.Metadata.Name is { Length: > 0 } name ? name
        : obj.Metadata.GenerateName is { Length: > 0 } prefix ? prefix + "*"
        : request.Name ?? "(unnamed)";
}
