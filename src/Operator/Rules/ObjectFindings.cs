using System.Reflection;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Gathers the findings of object-scoped rules per object judged (a binding, aws-auth, a StorageClass, a claim, an
/// Ingress, a Service, a Node), each its own resource. A family names the object and the rules that concern it; of
/// those, the policy's enabled ones are judged, and those that report nothing become passes.
/// </summary>
/// <param name="enabled">The object-scoped rules the policy turns on; a family may name others, which are not judged.</param>
public sealed class ObjectFindings(IEnumerable<RuleDefinition> enabled)
{
    private readonly HashSet<RuleDefinition> _enabled = [.. enabled];
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<object, Entry> _byObject = new(ReferenceEqualityComparer.Instance);

    /// <summary>The collector of <paramref name="obj"/>, on which those of <paramref name="rules"/> the policy enables are judged.</summary>
    /// <remarks>A span: a family names one or two rules per object (<c>[IngressTls]</c>), at every evaluation, without allocating.</remarks>
    public FindingCollector On(IKubernetesObject<V1ObjectMeta> obj, ReadOnlySpan<RuleDefinition> rules, SourceLocation? source)
    {
        if (!_byObject.TryGetValue(obj, out var entry))
        {
            entry = new Entry(obj, source);
            _byObject[obj] = entry;
            _entries.Add(entry);
        }

        foreach (var rule in rules)
        {
            if (_enabled.Contains(rule) && !entry.Rules.Contains(rule)) entry.Rules.Add(rule);
        }

        return entry.Collector;
    }

    /// <summary>An error for each of <paramref name="rules"/> the policy enables, on a stand-in for all objects of a kind not listed yet.</summary>
    public void Unlisted(IKubernetesObject<V1ObjectMeta> allOfKind, ReadOnlySpan<RuleDefinition> rules, string message)
    {
        var collector = On(allOfKind, rules, source: null);
        foreach (var rule in rules)
        {
            if (_enabled.Contains(rule)) collector.Error(rule, message);
        }
    }

    /// <summary>A note shown with the object in every output, e.g. that a rule was not evaluated and why.</summary>
    public void Note(IKubernetesObject<V1ObjectMeta> obj, SourceLocation? source, string note)
    {
        _ = On(obj, [], source);
        var entry = _byObject[obj];
        if (entry.Notes?.Contains(note, StringComparer.Ordinal) != true) (entry.Notes ??= []).Add(note);
    }

    /// <summary>Objects judged, in a stable order: by kind, then namespace, then name.</summary>
    internal IEnumerable<(IKubernetesObject<V1ObjectMeta> Object, SourceLocation? Source, List<Finding> Findings, IReadOnlyList<string> Notes)> Complete() =>
        _entries
            .OrderBy(e => TypeOf(e.Object).Kind, StringComparer.Ordinal)
            .ThenBy(e => e.Object.Metadata?.NamespaceProperty ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Object.Metadata?.Name ?? "", StringComparer.Ordinal)
            .Select(e => (e.Object, e.Source, e.Collector.Complete(e.Rules), e.Notes is { } notes ? (IReadOnlyList<string>)notes : []))
            .Where(e => e.Item3.Count > 0 || e.Item4.Count > 0);

    /// <summary>
    /// The apiVersion and kind an object is reported as: those of its typed model, since informers' list items carry
    /// neither (the model's <see cref="KubernetesEntityAttribute"/> names them).
    /// </summary>
    public static (string ApiVersion, string Kind) TypeOf(IKubernetesObject<V1ObjectMeta> obj) =>
        EntityTypes.GetValue(obj.GetType(), static type =>
            type.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity
                ? new EntityType(entity.Group is { Length: > 0 } group ? $"{group}/{entity.ApiVersion}" : entity.ApiVersion, entity.Kind)
                : new EntityType("", type.Name)).Pair;

    private static readonly ConditionalWeakTable<Type, EntityType> EntityTypes = [];

    private sealed record EntityType(string ApiVersion, string Kind)
    {
        public (string, string) Pair => (ApiVersion, Kind);
    }

    private sealed class Entry(IKubernetesObject<V1ObjectMeta> obj, SourceLocation? source)
    {
        public IKubernetesObject<V1ObjectMeta> Object { get; } = obj;
        public SourceLocation? Source { get; } = source;
        public FindingCollector Collector { get; } = new();
        public List<RuleDefinition> Rules { get; } = [];
        /// <summary>Made for the few objects that get a note.</summary>
        public List<string>? Notes { get; set; }
    }
}
