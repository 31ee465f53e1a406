namespace EksHardening.ApiEmulator.Resources;

/// <summary>The resources currently served: built-ins plus those registered by CustomResourceDefinitions.</summary>
internal sealed class ResourceCatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _byPath = [];
    private readonly Dictionary<(string ApiVersion, string Kind), ResourceType> _byKind = [];

    public ResourceCatalog()
    {
        foreach (var type in BuiltInResources.All)
        {
            Register(type);
        }
    }

    public void Register(ResourceType type)
    {
        lock (_gate)
        {
            _byPath[(type.Group, type.Version, type.Plural)] = type;
            _byKind[(type.ApiVersion, type.Kind)] = type;
        }
    }

    /// <summary>Replaces every served version of a custom resource with <paramref name="versions"/>.</summary>
    public void ReplaceVersions(GroupResource resource, IReadOnlyList<ResourceType> versions)
    {
        lock (_gate)
        {
            RemoveLocked(resource);
            foreach (var type in versions)
            {
                _byPath[(type.Group, type.Version, type.Plural)] = type;
                _byKind[(type.ApiVersion, type.Kind)] = type;
            }
        }
    }

    public void Unregister(GroupResource resource)
    {
        lock (_gate)
        {
            RemoveLocked(resource);
        }
    }

    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _byPath.GetValueOrDefault((group, version, plural));
        }
    }

    public ResourceType? FindByKind(string apiVersion, string kind)
    {
        lock (_gate)
        {
            return _byKind.GetValueOrDefault((apiVersion, kind));
        }
    }

    /// <summary>Finds a type by apiVersion and either its kind or its plural name.</summary>
    public ResourceType? FindByKindOrPlural(string apiVersion, string kindOrPlural)
    {
        lock (_gate)
        {
            if (_byKind.TryGetValue((apiVersion, kindOrPlural), out var byKind))
            {
                return byKind;
            }

            return _byPath.Values.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Plural == kindOrPlural);
        }
    }

    public IReadOnlyList<ResourceType> All()
    {
        lock (_gate)
        {
            return [.. _byPath.Values.OrderBy(t => t.Group, StringComparer.Ordinal)
                .ThenBy(t => t.Version, StringComparer.Ordinal)
                .ThenBy(t => t.Plural, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<ResourceType> VersionsOf(GroupResource resource)
    {
        lock (_gate)
        {
            return [.. _byPath.Values.Where(t => t.GroupResource == resource)];
        }
    }

    private void RemoveLocked(GroupResource resource)
    {
        foreach (var key in _byPath.Where(p => p.Value.GroupResource == resource).Select(p => p.Key).ToList())
        {
            var type = _byPath[key];
            _byPath.Remove(key);
            _byKind.Remove((type.ApiVersion, type.Kind));
        }
    }
}
