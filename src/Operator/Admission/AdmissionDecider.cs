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
/// workloads are reported, never blocked).
/// </remarks>
public sealed class AdmissionDecider(TimeProvider clock)
{
    private static readonly ConditionalWeakTable<ResponsibilityPolicySpec, AdmissionPlan> Plans = [];

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
        if (request.Operation == AdmissionOperation.Update && request.OldObject is { } oldJson
            && AdmittedKinds.TemplateUnchanged(kind, objectJson, oldJson))
        {
            return AdmissionDecision.Skip("pod template unchanged");
        }

        var obj = Read(kind, objectJson, request);
        if (request.Operation == AdmissionOperation.Update && obj.Metadata.DeletionTimestamp is not null)
        {
            return AdmissionDecision.Skip("object is being deleted");
        }

        var workload = WorkloadView.TryCreate(obj) ?? throw new AdmissionReviewException($"request.object is not a valid {kind.Kind}");
        var snapshot = context.Snapshot;
        var now = clock.GetUtcNow();
        var subject = $"{kind.Kind} {workload.Namespace}/{DisplayName(obj, request)}";

        var denials = new List<string>();
        var deniedBy = new List<string>();
        var warnings = new List<string>();
        var failedRules = new SortedSet<string>(StringComparer.Ordinal);
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

            var name = policy.Metadata?.Name ?? "";
            var failed = Group(findings, FindingResult.Fail);
            foreach (var (rule, _) in failed) failedRules.Add(rule.Id);
            if (failed.Count > 0 && spec.Mode == PolicyMode.Enforce)
            {
                deniedBy.Add(name);
                denials.Add(DenialOf(name, failed));
            }
            else if (failed.Count > 0)
            {
                foreach (var (rule, list) in failed) warnings.Add(WarningOf(name, rule, list, ""));
            }

            foreach (var (rule, list) in Group(findings, FindingResult.Error))
            {
                warnings.Add(WarningOf(name, rule, list, "could not be decided: "));
            }
        }

        var cappedWarnings = AdmissionText.CapWarnings(warnings);
        if (denials.Count == 0) return AdmissionDecision.Allow(cappedWarnings) with { FailedRules = [.. failedRules] };

        var message = AdmissionText.Clean($"{subject} violates {string.Join(" | ", denials)}", AdmissionText.MaxMessageLength);
        return AdmissionDecision.Deny(message, cappedWarnings) with { DeniedBy = deniedBy, FailedRules = [.. failedRules] };
    }

    private static List<Finding> Evaluate(AdmissionPlan plan, ResponsibilityPolicySpec spec, ClusterSnapshot snapshot, WorkloadView workload, DateTimeOffset now)
    {
        if (plan.Rules.Count == 0) return [];
        var collector = new FindingCollector();
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

    /// <summary>Findings of one result, grouped by rule in first-seen order.</summary>
    private static List<(RuleDefinition Rule, List<Finding> Findings)> Group(List<Finding> findings, FindingResult result)
    {
        var groups = new List<(RuleDefinition, List<Finding>)>();
        foreach (var finding in findings)
        {
            if (finding.Result != result) continue;
            var index = groups.FindIndex(g => ReferenceEquals(g.Item1, finding.Rule));
            if (index < 0) groups.Add((finding.Rule, [finding]));
            else groups[index].Item2.Add(finding);
        }

        return groups;
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

    private static IKubernetesObject<V1ObjectMeta> Read(AdmittedKinds.AdmittedKind kind, JsonElement json, AdmissionRequest request)
    {
        IKubernetesObject<V1ObjectMeta>? obj;
        try
        {
            obj = kind.Read(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException or OverflowException)
        {
            throw new AdmissionReviewException($"request.object is not a valid {kind.Kind}");
        }

        if (obj is null) throw new AdmissionReviewException($"request.object is not a valid {kind.Kind}");
        // The request's kind is authoritative (matchPolicy Equivalent converts); the namespace may be missing on create.
        obj.ApiVersion = kind.ApiVersion;
        obj.Kind = kind.Kind;
        obj.Metadata ??= new V1ObjectMeta();
        if (string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) && request.Namespace is { } ns) obj.Metadata.NamespaceProperty = ns;
        if (string.IsNullOrEmpty(obj.Metadata.Name) && request.Name is { } name) obj.Metadata.Name = name;
        return obj;
    }

    private static string DisplayName(IKubernetesObject<V1ObjectMeta> obj, AdmissionRequest request) =>
        obj.Metadata.Name is { Length: > 0 } name ? name
        : obj.Metadata.GenerateName is { Length: > 0 } prefix ? prefix + "*"
        : request.Name ?? "(unnamed)";
}
