namespace EksHardening.ApiEmulator.Resources;

/// <summary>Names the stored collection of one resource, whatever version it is reached through.</summary>
public readonly record struct GroupResource(string Group, string Resource)
{
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}

/// <summary>One served resource: group, version, names, scope and the server behaviour it gets.</summary>
public sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    /// <summary>The lowercase plural used in URLs, e.g. <c>deployments</c>.</summary>
    public required string Plural { get; init; }

    public string Singular { get; init; } = "";

    public bool Namespaced { get; init; }

    /// <summary>Whether the resource has a status subresource (status is then written only through it).</summary>
    public bool HasStatusSubresource { get; init; }

    /// <summary>Whether the server maintains <c>metadata.generation</c>.</summary>
    public bool HasGeneration { get; init; } = true;

    /// <summary>Whether the resource is defined by a CustomResourceDefinition.</summary>
    public bool IsCustom { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>A custom resource version's <c>additionalPrinterColumns</c>, for server-side printing (<c>kubectl get</c>).</summary>
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>Field selector labels served besides <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public IReadOnlyList<string> ExtraFieldLabels { get; init; } = [];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    public GroupResource GroupResource => new(Group, Plural);

    public bool SupportsFieldLabel(string label) =>
        label is "metadata.name" || (label is "metadata.namespace" && Namespaced) || ExtraFieldLabels.Contains(label);
}

/// <summary>One <c>additionalPrinterColumns</c> entry of a CustomResourceDefinition version.</summary>
public sealed record PrinterColumn(string Name, string Type, string? Format, string? Description, int Priority, string JsonPath);
