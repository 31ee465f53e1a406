namespace EksHardening.Operator.Testing;

/// <summary>
/// Sets process environment variables for one test and restores them afterwards. Tests that use it share a
/// non-parallel collection (one per test assembly, named <see cref="Name"/>), since the environment is process-wide.
/// </summary>
public sealed class ProcessEnvironment : IDisposable
{
    public const string Name = "process environment";
    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);

    public ProcessEnvironment()
    {
    }

    public ProcessEnvironment(IReadOnlyDictionary<string, string?> values)
    {
        foreach (var (key, value) in values) Set(key, value);
    }

    public ProcessEnvironment Set(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach (var (key, value) in _saved) Environment.SetEnvironmentVariable(key, value);
    }
}
