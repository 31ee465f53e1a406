namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// Sets process environment variables for one test and restores them afterwards. Tests that use it share a
/// non-parallel collection, since the environment is process-wide.
/// </summary>
internal sealed class ProcessEnvironment : IDisposable
{
    public const string Name = "process environment";
    private readonly Dictionary<string, string?> _saved = [];

    public ProcessEnvironment(IReadOnlyDictionary<string, string?> values)
    {
        foreach (var (key, value) in values)
        {
            _saved[key] = Environment.GetEnvironmentVariable(key);
            Environment.SetEnvironmentVariable(key, value);
        }
    }

    public void Dispose()
    {
        foreach (var (key, value) in _saved) Environment.SetEnvironmentVariable(key, value);
    }
}

[CollectionDefinition(ProcessEnvironment.Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;
