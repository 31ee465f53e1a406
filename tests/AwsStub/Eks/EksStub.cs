namespace EksHardening.AwsStub.Eks;

/// <summary>The EKS control planes the stub serves: clusters and their Pod Identity associations.</summary>
public sealed class EksStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, EksCluster> _clusters = new(StringComparer.Ordinal);
    private readonly List<PodIdentityAssociation> _associations = [];

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

    internal IReadOnlyList<PodIdentityAssociation> AssociationsOf(string cluster)
    {
        lock (_gate)
        {
            return [.. _associations.Where(a => a.ClusterName == cluster)];
        }
    }
}
