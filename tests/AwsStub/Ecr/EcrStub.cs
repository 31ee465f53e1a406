namespace EksHardening.AwsStub.Ecr;

/// <summary>The ECR registries the stub serves: seed repositories, images with their scans, and scanning configuration.</summary>
public sealed class EcrStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<(string Registry, string Name), RepositoryState> _repositories = [];
    private readonly Dictionary<string, RegistryScanningConfiguration> _scanning = new(StringComparer.Ordinal);

    internal StubContext Context => _context;

    internal EcrStub(StubContext context) => _context = context;

    /// <summary>Every repository, in registry then name order.</summary>
    public IReadOnlyList<EcrRepository> Repositories
    {
        get
        {
            lock (_gate)
            {
                return [.. _repositories.Values.Select(r => r.Repository).OrderBy(r => r.RegistryId, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Creates or replaces a repository (its images stay); returns it with ARN, URI and registry filled in.</summary>
    public EcrRepository AddRepository(EcrRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var registry = repository.RegistryId ?? _context.AccountId;
        var stored = repository with
        {
            RegistryId = registry,
            CreatedAt = repository.CreatedAt ?? _context.Now,
            Arn = $"arn:aws:ecr:{_context.Region}:{registry}:repository/{repository.Name}",
            Uri = RepositoryUri(repository.Name, registry),
        };
        lock (_gate)
        {
            if (_repositories.TryGetValue((registry, repository.Name), out var existing))
            {
                existing.Repository = stored;
            }
            else
            {
                _repositories[(registry, repository.Name)] = new RepositoryState(stored);
            }
        }

        return stored;
    }

    /// <summary>Adds or replaces an image by digest, creating its repository when there is none. Its tags move off other images.</summary>
    public EcrImage AddImage(EcrImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var registry = image.RegistryId ?? _context.AccountId;
        var stored = image with { RegistryId = registry, PushedAt = image.PushedAt ?? _context.Now };
        lock (_gate)
        {
            if (!_repositories.TryGetValue((registry, image.Repository), out var repository))
            {
                AddRepository(new EcrRepository { Name = image.Repository, RegistryId = registry });
                repository = _repositories[(registry, image.Repository)];
            }

            foreach (var other in repository.Images.Values.Where(i => i.Digest != image.Digest && i.Tags.Intersect(image.Tags).Any()).ToList())
            {
                repository.Images[other.Digest] = other with { Tags = [.. other.Tags.Except(image.Tags)] };
            }

            repository.Images[image.Digest] = stored;
        }

        return stored;
    }

    /// <summary>Replaces the scan of an image, e.g. to let a scan complete while a test runs.</summary>
    public EcrImage SetScan(string repository, string digest, EcrImageScan? scan, string? registryId = null)
    {
        var image = FindImage(repository, digest, registryId)
            ?? throw new ArgumentException($"No image {digest} in {repository}.", nameof(digest));
        return AddImage(image with { Scan = scan });
    }

    public EcrImage? FindImage(string repository, string digest, string? registryId = null)
    {
        lock (_gate)
        {
            return _repositories.TryGetValue((registryId ?? _context.AccountId, repository), out var state) ? state.Images.GetValueOrDefault(digest) : null;
        }
    }

    public bool RemoveImage(string repository, string digest, string? registryId = null)
    {
        lock (_gate)
        {
            return _repositories.TryGetValue((registryId ?? _context.AccountId, repository), out var state) && state.Images.Remove(digest);
        }
    }

    public bool RemoveRepository(string name, string? registryId = null)
    {
        lock (_gate)
        {
            return _repositories.Remove((registryId ?? _context.AccountId, name));
        }
    }

    /// <summary>Sets a registry's scanning configuration (GetRegistryScanningConfiguration; drives BatchGetRepositoryScanningConfiguration).</summary>
    public void SetScanningConfiguration(RegistryScanningConfiguration configuration, string? registryId = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        lock (_gate)
        {
            _scanning[registryId ?? _context.AccountId] = configuration;
        }
    }

    /// <summary>A registry's scanning configuration; BASIC without rules unless set.</summary>
    public RegistryScanningConfiguration ScanningConfiguration(string? registryId = null)
    {
        lock (_gate)
        {
            return _scanning.GetValueOrDefault(registryId ?? _context.AccountId) ?? new RegistryScanningConfiguration();
        }
    }

    /// <summary><c>REGISTRY.dkr.ecr.REGION.amazonaws.com/NAME</c>, the image reference a pod would use.</summary>
    public string RepositoryUri(string name, string? registryId = null) =>
        $"{registryId ?? _context.AccountId}.dkr.ecr.{_context.Region}.amazonaws.com/{name}";

    internal EcrRepository? FindRepository(string registry, string name)
    {
        lock (_gate)
        {
            return _repositories.GetValueOrDefault((registry, name))?.Repository;
        }
    }

    internal IReadOnlyList<EcrRepository> RepositoriesOf(string registry)
    {
        lock (_gate)
        {
            return [.. _repositories.Values.Select(r => r.Repository).Where(r => r.RegistryId == registry).OrderBy(r => r.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Images of a repository in push order, or null when the repository does not exist.</summary>
    internal IReadOnlyList<EcrImage>? ImagesOf(string registry, string repository)
    {
        lock (_gate)
        {
            return _repositories.TryGetValue((registry, repository), out var state)
                ? [.. state.Images.Values.OrderBy(i => i.PushedAt).ThenBy(i => i.Digest, StringComparer.Ordinal)]
                : null;
        }
    }

    private sealed class RepositoryState(EcrRepository repository)
    {
        public EcrRepository Repository { get; set; } = repository;

        public Dictionary<string, EcrImage> Images { get; } = new(StringComparer.Ordinal);
    }
}
