namespace EksHardening.Operator.IntegrationTests;

/// <summary>Tests that change process environment variables (<see cref="ProcessEnvironment"/>) run one at a time, apart from all others.</summary>
[CollectionDefinition(ProcessEnvironment.Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;
