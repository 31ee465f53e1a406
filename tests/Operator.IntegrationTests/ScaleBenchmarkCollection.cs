namespace EksHardening.Operator.IntegrationTests;

[CollectionDefinition(ScaleBenchmarkTests.Name, DisableParallelization = true)]
public sealed class ScaleBenchmarkCollection;
