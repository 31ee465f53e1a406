namespace EksHardening.AwsStub.Eks;

/// <summary>
/// The EKS control planes the stub serves: clusters with their Pod Identity associations, add-ons, access entries and
/// node groups, and the region's catalogs of Kubernetes versions and add-on versions.
/// </summary>
public sealed class EksStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, EksCluster> _clusters = new(StringComparer.Ordinal);
    private readonly List<PodIdentityAssociation> _associations = [];
    private readonly Dictionary<string, EksClusterVersion> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Cluster, string Name), EksAddon> _addons = [];
    private readonly List<EksAddonVersion> _addonVersions = [];
    private readonly Dictionary<(string Cluster, string Principal), EksAccessEntry> _accessEntries = [];
    private readonly Dictionary<(string Cluster, string Name), EksNodegroup> _nodegroups = [];

    internal EksStub(StubContext context) => _context = context;

    public IReadOnlyList<EksCluster> Clusters
    {
        get
        {
            lock (_gate)
            {
                return [.. _clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Creates or replaces a cluster; returns it with ARN, endpoint, role and OIDC issuer filled in.</summary>
    public EksCluster AddCluster(EksCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var region = _context.Region;
        var id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(cluster.Name)))[..32];
        var stored = cluster with
        {
            Arn = cluster.Arn ?? $"arn:aws:eks:{region}:{_context.AccountId}:cluster/{cluster.Name}",
            Endpoint = cluster.Endpoint ?? $"https://{id}.gr7.{region}.eks.amazonaws.com",
            OidcIssuer = cluster.OidcIssuer ?? $"https://oidc.eks.{region}.amazonaws.com/id/{id}",
            RoleArn = cluster.RoleArn ?? $"arn:aws:iam::{_context.AccountId}:role/eks-cluster-role",
            CreatedAt = cluster.CreatedAt ?? _context.Now,
            ClusterSecurityGroupId = cluster.ClusterSecurityGroupId ?? "sg-" + id[..17].ToLowerInvariant(),
        };
        lock (_gate)
        {
            _clusters[cluster.Name] = stored;
        }

        return stored;
    }

    public EksCluster? FindCluster(string name)
    {
        lock (_gate)
        {
            return _clusters.GetValueOrDefault(name);
        }
    }

    public bool RemoveCluster(string name)
    {
        lock (_gate)
        {
            _associations.RemoveAll(a => a.ClusterName == name);
            RemoveWhere(_addons, name);
            RemoveWhere(_accessEntries, name);
            RemoveWhere(_nodegroups, name);
            return _clusters.Remove(name);
        }
    }

    /// <summary>Adds a Pod Identity association (or replaces one with the same id); returns it with id and ARN filled in.</summary>
    public PodIdentityAssociation AddPodIdentityAssociation(PodIdentityAssociation association)
    {
        ArgumentNullException.ThrowIfNull(association);
        var id = association.AssociationId ?? _context.LowerId("a-", 17);
        var stored = association with
        {
            AssociationId = id,
            AssociationArn = association.AssociationArn ?? $"arn:aws:eks:{_context.Region}:{_context.AccountId}:podidentityassociation/{association.ClusterName}/{id}",
            CreatedAt = association.CreatedAt ?? _context.Now,
        };
        lock (_gate)
        {
            _associations.RemoveAll(a => a.AssociationId == id);
            _associations.Add(stored);
        }

        return stored;
    }

    public bool RemovePodIdentityAssociation(string associationId)
    {
        lock (_gate)
        {
            return _associations.RemoveAll(a => a.AssociationId == associationId) > 0;
        }
    }

    /// <summary>Adds a Kubernetes version to the catalog (or replaces the one with that version).</summary>
    public EksClusterVersion AddClusterVersion(EksClusterVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_gate)
        {
            _versions[version.Version] = version;
        }

        return version;
    }

    public bool RemoveClusterVersion(string version)
    {
        lock (_gate)
        {
            return _versions.Remove(version);
        }
    }

    /// <summary>Installs an add-on on a cluster (or replaces the one with that name); returns it with its ARN filled in.</summary>
    public EksAddon AddAddon(EksAddon addon)
    {
        ArgumentNullException.ThrowIfNull(addon);
        var stored = addon with
        {
            Arn = addon.Arn ?? $"arn:aws:eks:{_context.Region}:{_context.AccountId}:addon/{addon.ClusterName}/{addon.Name}/{_context.NewGuid()}",
            CreatedAt = addon.CreatedAt ?? _context.Now,
        };
        lock (_gate)
        {
            _addons[(addon.ClusterName, addon.Name)] = stored;
        }

        return stored;
    }

    public bool RemoveAddon(string clusterName, string addonName)
    {
        lock (_gate)
        {
            return _addons.Remove((clusterName, addonName));
        }
    }

    /// <summary>Adds a version of an add-on to the catalog (or replaces the same add-on version).</summary>
    public EksAddonVersion AddAddonVersion(EksAddonVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_gate)
        {
            var existing = _addonVersions.FindIndex(v => v.AddonName == version.AddonName && v.Version == version.Version);
            if (existing >= 0)
            {
                _addonVersions[existing] = version;
            }
            else
            {
                _addonVersions.Add(version);
            }
        }

        return version;
    }

    /// <summary>Adds an access entry (or replaces the one for that principal) with its associated policies.</summary>
    public EksAccessEntry AddAccessEntry(EksAccessEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var stored = entry with { CreatedAt = entry.CreatedAt ?? _context.Now };
        lock (_gate)
        {
            _accessEntries[(entry.ClusterName, entry.PrincipalArn)] = stored;
        }

        return stored;
    }

    public bool RemoveAccessEntry(string clusterName, string principalArn)
    {
        lock (_gate)
        {
            return _accessEntries.Remove((clusterName, principalArn));
        }
    }

    /// <summary>Adds a managed node group (or replaces the one with that name); returns it with ARN, role and Auto Scaling group filled in.</summary>
    public EksNodegroup AddNodegroup(EksNodegroup nodegroup)
    {
        ArgumentNullException.ThrowIfNull(nodegroup);
        var uuid = _context.NewGuid();
        var stored = nodegroup with
        {
            Arn = nodegroup.Arn ?? $"arn:aws:eks:{_context.Region}:{_context.AccountId}:nodegroup/{nodegroup.ClusterName}/{nodegroup.Name}/{uuid}",
            NodeRole = nodegroup.NodeRole ?? $"arn:aws:iam::{_context.AccountId}:role/eks-node-role",
            AutoScalingGroups = nodegroup.AutoScalingGroups ?? [$"eks-{nodegroup.Name}-{uuid}"],
            CreatedAt = nodegroup.CreatedAt ?? _context.Now,
        };
        lock (_gate)
        {
            _nodegroups[(nodegroup.ClusterName, nodegroup.Name)] = stored;
        }

        return stored;
    }

    public bool RemoveNodegroup(string clusterName, string nodegroupName)
    {
        lock (_gate)
        {
            return _nodegroups.Remove((clusterName, nodegroupName));
        }
    }

    internal IReadOnlyList<EksClusterVersion> ClusterVersions()
    {
        lock (_gate)
        {
            return [.. _versions.Values];
        }
    }

    internal IReadOnlyList<EksAddonVersion> AddonVersions()
    {
        lock (_gate)
        {
            return [.. _addonVersions];
        }
    }

    internal IReadOnlyList<EksAddon> AddonsOf(string cluster) => ValuesOf(_addons, cluster);

    internal IReadOnlyList<EksAccessEntry> AccessEntriesOf(string cluster) => ValuesOf(_accessEntries, cluster);

    internal IReadOnlyList<EksNodegroup> NodegroupsOf(string cluster) => ValuesOf(_nodegroups, cluster);

    /// <summary>The cluster's items ordered by name, as EKS lists them.</summary>
    private List<T> ValuesOf<T>(Dictionary<(string Cluster, string Name), T> items, string cluster)
    {
        lock (_gate)
        {
            return [.. items.Where(i => i.Key.Cluster == cluster).OrderBy(i => i.Key.Name, StringComparer.Ordinal).Select(i => i.Value)];
        }
    }

    private static void RemoveWhere<T>(Dictionary<(string Cluster, string Name), T> items, string cluster)
    {
        foreach (var key in items.Keys.Where(k => k.Cluster == cluster).ToList())
        {
            items.Remove(key);
        }
    }

    internal IReadOnlyList<PodIdentityAssociation> AssociationsOf(string cluster)
    {
        lock (_gate)
        {
            return [.. _associations.Where(a => a.ClusterName == cluster)];
        }
    }
}
