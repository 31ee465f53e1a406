namespace EksHardening.Operator.Tests.Admission;

/// <summary>
/// Tests that read the process's managed heap size run alone: xunit runs this collection after all parallel ones,
/// so other tests' allocations do not show up in the measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "memory measurement";
}
