namespace EksHardening.ApiEmulator.Resources;

/// <summary>A custom resource to serve from the start, as if its CustomResourceDefinition had been applied.</summary>
public sealed record CustomResourceType
{
    public required string Group { get; init; }

    public required string Kind { get; init; }

    public required string Plural { get; init; }

    /// <summary>Served versions; the first one is the storage version.</summary>
    public IReadOnlyList<string> Versions { get; init; } = ["v1"];

    public bool Namespaced { get; init; } = true;

    public bool HasStatusSubresource { get; init; } = true;

    public string? Singular { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public string CrdName => $"{Plural}.{Group}";
}
