namespace EksHardening.Operator.Rules;

/// <summary>Which list of the pod spec a container comes from.</summary>
public enum ContainerKind
{
    Init,
    Regular,
    Ephemeral,
}

/// <summary>Where an object came from in the scan inputs, for messages and SARIF locations.</summary>
/// <param name="Line">1-based; 0 when the object cannot be placed on a line of <paramref name="File"/> (a rendered chart or Kustomize directory), and then only the file is named.</param>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => Line >= 1 ? $"{File}:{Line}" : File;
}

/// <summary>One container of any list (init, regular, ephemeral) with the fields the rules read.</summary>
public sealed class ContainerView
{
    private readonly string _listPath;

    internal ContainerView(ContainerKind kind, int index, string podSpecPath, V1Container container)
        : this(kind, index, podSpecPath, container.Name, container.Image, container.SecurityContext)
    {
        Ports = container.Ports;
        Resources = container.Resources;
        Probes = ProbesOf(container.LivenessProbe, container.ReadinessProbe, container.StartupProbe);
        Lifecycle = container.Lifecycle;
    }

    internal ContainerView(ContainerKind kind, int index, string podSpecPath, V1EphemeralContainer container)
        : this(kind, index, podSpecPath, container.Name, container.Image, container.SecurityContext)
    {
        Ports = container.Ports;
        Resources = container.Resources;
        Probes = ProbesOf(container.LivenessProbe, container.ReadinessProbe, container.StartupProbe);
        Lifecycle = container.Lifecycle;
    }

    private static readonly V1Probe?[] NoProbes = [];

    /// <summary>Most containers of a large cluster are seen without probes (the operator's cache keeps only those naming a host): share one empty list.</summary>
    private static V1Probe?[] ProbesOf(V1Probe? liveness, V1Probe? readiness, V1Probe? startup) =>
        liveness is null && readiness is null && startup is null ? NoProbes : [liveness, readiness, startup];

    private ContainerView(ContainerKind kind, int index, string podSpecPath, string? name, string? image, V1SecurityContext? securityContext)
    {
        Kind = kind;
        Index = index;
        Name = string.IsNullOrEmpty(name) ? $"#{index}" : name;
        Image = image;
        SecurityContext = securityContext;
        _listPath = ListPaths.GetOrAdd(podSpecPath, static path => [path + ".initContainers", path + ".containers", path + ".ephemeralContainers"])[(int)kind];
    }

    /// <summary>The lists' paths per pod spec path (a handful): one string each, not one per container of every cached pod.</summary>
    private static readonly ConcurrentDictionary<string, string[]> ListPaths = new(StringComparer.Ordinal);

    public ContainerKind Kind { get; }
    public int Index { get; }
    public string Name { get; }
    public string? Image { get; }
    public V1SecurityContext? SecurityContext { get; }
    public IList<V1ContainerPort>? Ports { get; }
    public V1ResourceRequirements? Resources { get; }
    /// <summary>Liveness, readiness and startup probes (entries may be null).</summary>
    public IReadOnlyList<V1Probe?> Probes { get; private init; } = [];
    public V1Lifecycle? Lifecycle { get; }

    /// <summary>JSON path of this container, e.g. <c>spec.template.spec.containers[1]</c>.</summary>
    public string Path => _path ??= $"{_listPath}[{Index}]";

    /// <summary>How messages name the container: "container web", "init container setup".</summary>
    public string Label => _label ??= Kind switch
    {
        ContainerKind.Init => $"init container {Name}",
        ContainerKind.Ephemeral => $"ephemeral container {Name}",
        _ => $"container {Name}",
    };

    // Built on first use (only failing containers need them) and kept: a view is evaluated by every policy.
    private string? _path;
    private string? _label;
}

/// <summary>
/// The containers of a workload: a read-only list whose <c>foreach</c> allocates no enumerator (every rule family walks
/// it for every template it judges).
/// </summary>
public sealed class ContainerList : IReadOnlyList<ContainerView>
{
    private readonly ContainerView[] _items;

    internal ContainerList(ContainerView[] items) => _items = items;

    public int Count => _items.Length;

    public ContainerView this[int index] => _items[index];

    public Enumerator GetEnumerator() => new(_items);

    IEnumerator<ContainerView> IEnumerable<ContainerView>.GetEnumerator() => ((IEnumerable<ContainerView>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>A struct enumerator, so that <c>foreach</c> over the list stays on the stack.</summary>
    public struct Enumerator(ContainerView[] items)
    {
        private int _index = -1;

        public readonly ContainerView Current => items[_index];

        public bool MoveNext() => ++_index < items.Length;
    }
}

/// <summary>
/// A workload of any supported kind seen through its pod template: the one shape every
/// workload rule evaluates. Messages name it as <c>Kind namespace/name</c>, written straight into the message.
/// </summary>
public sealed class WorkloadView : ISpanFormattable
{
    public static readonly IReadOnlyList<string> SupportedKinds =
        ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate"];

    private WorkloadView(IKubernetesObject<V1ObjectMeta> obj, V1ObjectMeta? templateMetadata, V1PodSpec? podSpec, string podSpecPath, SourceLocation? source)
    {
        Object = obj;
        Metadata = obj.Metadata ?? new V1ObjectMeta();
        ApiVersion = obj.ApiVersion ?? "";
        Kind = obj.Kind ?? "";
        Name = Metadata.Name ?? "";
        Namespace = string.IsNullOrEmpty(Metadata.NamespaceProperty) ? "default" : Metadata.NamespaceProperty;
        TemplateMetadata = templateMetadata ?? new V1ObjectMeta();
        PodSpec = podSpec ?? new V1PodSpec { Containers = [] };
        PodSpecPath = podSpecPath;
        Source = source;
    }

    /// <summary>A running pod seen as one of its top owner's pods: the pod's spec and labels under the owner's name.</summary>
    private WorkloadView(WorkloadView pod, WorkloadView owner)
    {
        Object = pod.Object;
        Metadata = pod.Metadata;
        ApiVersion = owner.ApiVersion;
        Kind = owner.Kind;
        Name = owner.Name;
        Namespace = owner.Namespace;
        TemplateMetadata = pod.TemplateMetadata;
        PodSpec = pod.PodSpec;
        PodSpecPath = pod.PodSpecPath;
        Source = owner.Source;
        _containers = pod._containers;
        _key = owner.Key;
    }

    /// <summary>
    /// The view a pod is evaluated through when it is reported on its top owner: its own spec and labels, the owner's
    /// kind and name in messages, so that the findings of identical replicas are the same and can be shared.
    /// </summary>
    public static WorkloadView PodOf(WorkloadView pod, WorkloadView owner) => new(pod, owner);

    public IKubernetesObject<V1ObjectMeta> Object { get; }
    public string ApiVersion { get; }
    public string Kind { get; }
    public string Name { get; }
    /// <summary>The object's namespace; <c>default</c> when the manifest names none.</summary>
    public string Namespace { get; }
    public V1ObjectMeta Metadata { get; }
    /// <summary>Metadata of the pods this workload creates (for a Pod, its own metadata).</summary>
    public V1ObjectMeta TemplateMetadata { get; }
    public V1PodSpec PodSpec { get; }
    /// <summary>JSON path of the pod spec inside the object, e.g. <c>spec.template.spec</c>.</summary>
    public string PodSpecPath { get; }
    public SourceLocation? Source { get; }
    /// <summary>Init, regular and ephemeral containers, in that order.</summary>
    /// <remarks>Built on first use: the operator keeps a view of every pod, and most (those with an owner in scope) are never evaluated.</remarks>
    public ContainerList Containers => _containers ??= new ContainerList(CollectContainers(PodSpec, PodSpecPath));

    private ContainerList? _containers;

    /// <summary>The labels the template (or the pod) declares.</summary>
    public IDictionary<string, string>? PodLabels => TemplateMetadata.Labels;

    /// <summary>
    /// The labels NetworkPolicy selectors see: a pod's own, or for a template its labels plus those the controllers
    /// add to the pods they create (<see cref="ControllerLabels"/>), with values only known at run time marked
    /// <see cref="LabelSelectors.ValueSetAtRunTime"/>. Built on first use and kept, as <see cref="Containers"/> is: the
    /// network rules read it for every evaluation of every policy, and only evaluated workloads (top owners) build it.
    /// </summary>
    public IDictionary<string, string>? SelectorLabels() =>
        Object is V1Pod ? TemplateMetadata.Labels : _selectorLabels ??= ControllerLabels.PodLabelsOf(Object, TemplateMetadata.Labels);

    private IDictionary<string, string>? _selectorLabels;

    /// <summary>Whether the pods run on Windows (spec.os.name), which the PSS treat differently.</summary>
    public bool IsWindows => string.Equals(PodSpec.Os?.Name, "windows", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>Kind/namespace/name</c>: the workload's identity across versions of it (the findings cache's key).</summary>
    public string Key => _key ??= $"{Kind}/{Namespace}/{Name}";

    private string? _key;

    /// <summary>
    /// The owner this view's controller reference resolved to in a snapshot whose views outlive it (the operator's:
    /// <see cref="ClusterSnapshot.TopOwnerInScope"/>), kept while that owner's view is current.
    /// </summary>
    internal WorkloadView? ControllerOwner { get; set; }

    /// <summary>Set by whoever keeps views across snapshots when this one's object changed or went away: links to it are stale.</summary>
    internal bool Superseded => Volatile.Read(ref _superseded);

    private bool _superseded;

    internal void Supersede() => Volatile.Write(ref _superseded, true);

    public override string ToString() => $"{Kind} {Namespace}/{Name}";

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite($"{Kind} {Namespace}/{Name}", out charsWritten);

    /// <summary>Builds the view for a workload kind; null for objects that carry no pod template.</summary>
    public static WorkloadView? TryCreate(IKubernetesObject<V1ObjectMeta> obj, SourceLocation? source = null) => obj switch
    {
        V1Pod pod => new WorkloadView(pod, pod.Metadata, pod.Spec, "spec", source),
        V1Deployment d => new WorkloadView(d, d.Spec?.Template?.Metadata, d.Spec?.Template?.Spec, "spec.template.spec", source),
        V1StatefulSet s => new WorkloadView(s, s.Spec?.Template?.Metadata, s.Spec?.Template?.Spec, "spec.template.spec", source),
        V1DaemonSet ds => new WorkloadView(ds, ds.Spec?.Template?.Metadata, ds.Spec?.Template?.Spec, "spec.template.spec", source),
        V1ReplicaSet rs => new WorkloadView(rs, rs.Spec?.Template?.Metadata, rs.Spec?.Template?.Spec, "spec.template.spec", source),
        V1ReplicationController rc => new WorkloadView(rc, rc.Spec?.Template?.Metadata, rc.Spec?.Template?.Spec, "spec.template.spec", source),
        V1PodTemplate template => new WorkloadView(template, template.Template?.Metadata, template.Template?.Spec, "template.spec", source),
        V1Job job => new WorkloadView(job, job.Spec?.Template?.Metadata, job.Spec?.Template?.Spec, "spec.template.spec", source),
        V1CronJob cron => new WorkloadView(cron, cron.Spec?.JobTemplate?.Spec?.Template?.Metadata, cron.Spec?.JobTemplate?.Spec?.Template?.Spec, "spec.jobTemplate.spec.template.spec", source),
        _ => null,
    };

    private static ContainerView[] CollectContainers(V1PodSpec spec, string podSpecPath)
    {
        var count = (spec.InitContainers?.Count ?? 0) + (spec.Containers?.Count ?? 0) + (spec.EphemeralContainers?.Count ?? 0);
        var all = new ContainerView[count];
        var n = 0;
        if (spec.InitContainers is { } init)
        {
            for (var i = 0; i < init.Count; i++) all[n++] = new ContainerView(ContainerKind.Init, i, podSpecPath, init[i] ?? new V1Container());
        }

        if (spec.Containers is { } regular)
        {
            for (var i = 0; i < regular.Count; i++) all[n++] = new ContainerView(ContainerKind.Regular, i, podSpecPath, regular[i] ?? new V1Container());
        }

        if (spec.EphemeralContainers is { } ephemeral)
        {
            for (var i = 0; i < ephemeral.Count; i++) all[n++] = new ContainerView(ContainerKind.Ephemeral, i, podSpecPath, ephemeral[i] ?? new V1EphemeralContainer());
        }

        return all;
    }
}
