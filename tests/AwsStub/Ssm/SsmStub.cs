namespace EksHardening.AwsStub.Ssm;

/// <summary>A Systems Manager parameter: name, value, type and version.</summary>
public sealed record SsmParameter(string Name, string Value, string Type, long Version, DateTimeOffset LastModified);

/// <summary>
/// The Systems Manager parameters the stub serves, AWS's public ones (<c>/aws/service/…</c>) among them, such as
/// <c>/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version</c>.
/// </summary>
public sealed class SsmStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, SsmParameter> _parameters = new(StringComparer.Ordinal);

    internal SsmStub(StubContext context) => _context = context;

    internal StubContext Context => _context;

    /// <summary>Creates a parameter, or gives it a new value and the next version.</summary>
    public SsmParameter PutParameter(string name, string value, string type = "String")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            var version = _parameters.TryGetValue(name, out var previous) ? previous.Version + 1 : 1;
            var stored = new SsmParameter(name, value, type, version, _context.Now);
            _parameters[name] = stored;
            return stored;
        }
    }

    public bool RemoveParameter(string name)
    {
        lock (_gate)
        {
            return _parameters.Remove(name);
        }
    }

    public SsmParameter? FindParameter(string name)
    {
        lock (_gate)
        {
            return _parameters.GetValueOrDefault(name);
        }
    }
}
