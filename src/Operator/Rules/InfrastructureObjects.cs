namespace EksHardening.Operator.Rules;

/// <summary>
/// The non-workload objects the encryption.* and node.* rules judge: StorageClasses, PersistentVolumeClaims,
/// Ingresses, Services and Nodes, indexed for lookups. Immutable once built.
/// </summary>
public sealed class InfrastructureObjects
{
    public const string DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
    public const string BetaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class";

    public static readonly InfrastructureObjects Empty = new([]);

    private readonly Dictionary<string, V1StorageClass> _storageClasses = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), V1PersistentVolumeClaim> _claims = [];
    private readonly Func<object, SourceLocation?>? _sourceOf;

    /// <param name="objects">Objects of any kind; those of the five kinds are kept, others ignored.</param>
    /// <param name="sourceOf">Where an object came from in the scan inputs.</param>
    public InfrastructureObjects(IEnumerable<object> objects, Func<object, SourceLocation?>? sourceOf = null)
    {
        _sourceOf = sourceOf;
        List<V1Ingress> ingresses = [];
        List<V1Service> services = [];
        List<V1Node> nodes = [];
        foreach (var obj in objects)
        {
            switch (obj)
            {
                case V1StorageClass storageClass when storageClass.Metadata?.Name is { Length: > 0 } name: _storageClasses[name] = storageClass; break;
                case V1PersistentVolumeClaim claim: _claims[(ClusterSnapshot.NamespaceOf(claim.Metadata), claim.Metadata?.Name ?? "")] = claim; break;
                case V1Ingress ingress: ingresses.Add(ingress); break;
                case V1Service service: services.Add(service); break;
                case V1Node node: nodes.Add(node); break;
            }
        }

        Ingresses = ingresses;
        Services = services;
        Nodes = nodes;
        DefaultStorageClass = ChooseDefault(_storageClasses.Values);
    }

    /// <summary>Whether the kind is one of those this index keeps (the manifest reader and the scan read them).</summary>
    public static bool Keeps(object obj) => obj is V1StorageClass or V1PersistentVolumeClaim or V1Ingress or V1Service or V1Node;

    public IEnumerable<V1StorageClass> StorageClasses => _storageClasses.Values;
    public IEnumerable<V1PersistentVolumeClaim> Claims => _claims.Values;
    public IReadOnlyList<V1Ingress> Ingresses { get; }
    public IReadOnlyList<V1Service> Services { get; }
    public IReadOnlyList<V1Node> Nodes { get; }

    /// <summary>
    /// The class a claim without storageClassName gets: among the classes annotated as default (GA or beta annotation,
    /// value "true"), the newest by creationTimestamp, then the first by name, as the DefaultStorageClass admission
    /// plugin chooses (k8s.io/component-helpers storage/volume GetDefaultClass). Null when no class is the default.
    /// </summary>
    public V1StorageClass? DefaultStorageClass { get; }

    public V1StorageClass? FindStorageClass(string name) => _storageClasses.GetValueOrDefault(name);

    public V1PersistentVolumeClaim? FindClaim(string ns, string name) => _claims.GetValueOrDefault((ns, name));

    public SourceLocation? SourceOf(object obj) => _sourceOf?.Invoke(obj);

    /// <summary>
    /// The objects a workload's encryption.volumes verdict reads: each claim it mounts (null when absent) and the
    /// StorageClass each of its claims and claim templates resolves to, the default one for those naming none (null
    /// when absent). Informers replace an object on every change, so the same objects mean the same verdict.
    /// </summary>
    public object?[] ClaimInputsOf(WorkloadView workload)
    {
        var inputs = new List<object?>();
        void Class(V1ObjectMeta? metadata, V1PersistentVolumeClaimSpec? spec)
        {
            var name = EbsVolumeEncryption.ClassNameOf(metadata, spec);
            inputs.Add(name is null ? DefaultStorageClass : FindStorageClass(name));
        }

        foreach (var volume in workload.PodSpec.Volumes ?? [])
        {
            if (volume?.PersistentVolumeClaim?.ClaimName is { } claimName)
            {
                var claim = FindClaim(workload.Namespace, claimName);
                inputs.Add(claim);
                if (claim is not null) Class(claim.Metadata, claim.Spec);
            }
            else if (volume?.Ephemeral?.VolumeClaimTemplate is { } template)
            {
                Class(template.Metadata, template.Spec);
            }
        }

        if (workload.Object is V1StatefulSet { Spec.VolumeClaimTemplates: { } templates })
        {
            foreach (var template in templates) Class(template?.Metadata, template?.Spec);
        }

        return [.. inputs];
    }

    public static bool IsDefaultClass(V1StorageClass storageClass) =>
        storageClass.Metadata?.Annotations is { } annotations
        && (annotations.TryGetValue(DefaultClassAnnotation, out var ga) && ga == "true"
            || annotations.TryGetValue(BetaDefaultClassAnnotation, out var beta) && beta == "true");

    private static V1StorageClass? ChooseDefault(IEnumerable<V1StorageClass> classes) =>
        classes.Where(IsDefaultClass)
            .OrderByDescending(c => c.Metadata?.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(c => c.Metadata?.Name, StringComparer.Ordinal)
            .FirstOrDefault();
}
