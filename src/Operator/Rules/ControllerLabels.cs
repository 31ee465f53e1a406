namespace EksHardening.Operator.Rules;

/// <summary>
/// The labels a pod carries beyond its template's: those the workload controllers (and, for Jobs, the API server)
/// add when they create it, so that NetworkPolicy selectors are judged on the labels pods actually have. A label
/// whose value is only known at run time carries <see cref="LabelSelectors.ValueSetAtRunTime"/>. Sources
/// (kubernetes/kubernetes): Deployment <c>pkg/controller/deployment/sync.go</c> (pod-template-hash on the new
/// ReplicaSet's template); StatefulSet <c>pkg/controller/statefulset/stateful_set_utils.go</c> (pod name, pod
/// index, controller revision); DaemonSet <c>pkg/controller/daemon/util/daemonset_util.go</c> CreatePodTemplate
/// (template generation, controller revision); Job <c>pkg/registry/batch/job/strategy.go</c> generateSelector
/// (job name and controller uid, prefixed and legacy, unless manualSelector) and
/// <c>pkg/controller/job/indexed_job_utils.go</c> (completion index of Indexed Jobs).
/// </summary>
public static class ControllerLabels
{
    public const string PodTemplateHash = "pod-template-hash";
    public const string ControllerRevisionHash = "controller-revision-hash";
    public const string StatefulSetPodName = "statefulset.kubernetes.io/pod-name";
    public const string PodIndex = "apps.kubernetes.io/pod-index";
    public const string DaemonSetTemplateGeneration = "pod-template-generation";
    public const string JobName = "batch.kubernetes.io/job-name";
    public const string LegacyJobName = "job-name";
    public const string JobControllerUid = "batch.kubernetes.io/controller-uid";
    public const string LegacyJobControllerUid = "controller-uid";
    public const string JobCompletionIndex = "batch.kubernetes.io/job-completion-index";

    /// <summary>
    /// The labels the pods of <paramref name="obj"/> will carry: <paramref name="templateLabels"/> plus the
    /// controllers' own. Returns <paramref name="templateLabels"/> itself when the kind adds none.
    /// </summary>
    public static IDictionary<string, string>? PodLabelsOf(IKubernetesObject<V1ObjectMeta> obj, IDictionary<string, string>? templateLabels)
    {
        var added = Added(obj);
        if (added.Count == 0) return templateLabels;
        var pairs = Merged(templateLabels, added);
        // Most templates carry a few labels: one small array then, a dictionary beyond.
        if (pairs.Length / 2 <= SmallStringDictionary.MaxCount) return SmallStringDictionary.OfPairs(pairs);
        var labels = new Dictionary<string, string>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2) labels[pairs[i]] = pairs[i + 1];
        return labels;
    }

    /// <summary>The template's labels and the added ones, keys and values alternating, an overriding label's value replacing the template's.</summary>
    private static string[] Merged(IDictionary<string, string>? templateLabels, IReadOnlyList<Label> added)
    {
        var pairs = new string[2 * ((templateLabels?.Count ?? 0) + added.Count)];
        var length = 0;
        if (templateLabels is not null)
        {
            foreach (var (key, value) in templateLabels)
            {
                pairs[length++] = key;
                pairs[length++] = value;
            }
        }

        var templateLength = length;
        for (var i = 0; i < added.Count; i++)
        {
            var (key, value, overrides) = added[i];
            var at = IndexOfKey(pairs, templateLength, key);
            if (at < 0)
            {
                pairs[length++] = key;
                pairs[length++] = value;
            }
            else if (overrides)
            {
                pairs[at + 1] = value;
            }
        }

        if (length < pairs.Length) Array.Resize(ref pairs, length);
        return pairs;
    }

    private static int IndexOfKey(string[] pairs, int length, string key)
    {
        for (var i = 0; i < length; i += 2)
        {
            if (string.Equals(pairs[i], key, StringComparison.Ordinal)) return i;
        }

        return -1;
    }

    /// <param name="Overrides">The controller sets the label even when the template has it; otherwise the template's value stays.</param>
    private readonly record struct Label(string Key, string Value, bool Overrides);

    private const string Unknown = LabelSelectors.ValueSetAtRunTime;

    // The fixed sets, made once: the network rules ask for every template they judge.
    private static readonly Label[] DeploymentLabels = [new(PodTemplateHash, Unknown, true)];
    private static readonly Label[] StatefulSetLabels = [new(StatefulSetPodName, Unknown, true), new(PodIndex, Unknown, true), new(ControllerRevisionHash, Unknown, true)];
    private static readonly Label[] DaemonSetLabels = [new(ControllerRevisionHash, Unknown, true), new(DaemonSetTemplateGeneration, Unknown, true)];
    private static readonly Label[] NoLabels = [];

    private static IReadOnlyList<Label> Added(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Deployment => DeploymentLabels,
        V1StatefulSet => StatefulSetLabels,
        V1DaemonSet => DaemonSetLabels,
        V1Job job => JobLabels(job.Spec, job.Metadata?.Name, job.Metadata?.Uid),
        // The Jobs a CronJob creates are named <cronjob>-<scheduled time>, and their uids are new.
        V1CronJob cron => JobLabels(cron.Spec?.JobTemplate?.Spec, name: null, uid: null),
        _ => NoLabels,
    };

    private static List<Label> JobLabels(V1JobSpec? spec, string? name, string? uid)
    {
        var labels = new List<Label>(5);
        if (spec?.ManualSelector != true)
        {
            var jobName = string.IsNullOrEmpty(name) ? Unknown : name;
            var controllerUid = string.IsNullOrEmpty(uid) ? Unknown : uid;
            labels.Add(new(JobName, jobName, false));
            labels.Add(new(LegacyJobName, jobName, false));
            labels.Add(new(JobControllerUid, controllerUid, false));
            labels.Add(new(LegacyJobControllerUid, controllerUid, false));
        }

        if (string.Equals(spec?.CompletionMode, "Indexed", StringComparison.Ordinal)) labels.Add(new(JobCompletionIndex, Unknown, true));
        return labels;
    }
}
