namespace EksHardening.Operator.Tests.Architecture;

/// <summary>One use of a type by another inside the operator assembly, each named as <c>Folder/Type</c>.</summary>
internal sealed record TypeEdge(string FromFolder, string FromType, string ToFolder, string ToType)
{
    public override string ToString() => $"{FromFolder}/{FromType} → {ToFolder}/{ToType}";
}

/// <summary>
/// The order of the folders of <c>src/Operator/</c> (see its README.md): a folder may use the folders below it, never
/// one above it nor a sibling on its own level. <c>Entities</c> is its own project below all of them.
/// </summary>
internal static class Layering
{
    /// <summary>The root of the assembly: <c>Program.cs</c>.</summary>
    public const string Root = "(root)";

    /// <summary>Lowest first; folders of one level are siblings.</summary>
    public static readonly IReadOnlyList<IReadOnlyList<string>> Levels =
    [
        ["Serialization"],
        ["Facts"],
        ["Rules"],
        ["Manifests"],
        ["Policies"],
        ["Resilience"],
        ["Kubernetes", "Aws", "Admission", "Reporting"],
        ["Controllers"],
        ["Hosting"],
        ["Cli"],
        [Root],
    ];

    /// <summary>Every edge against the order, named with the rule it breaks; a folder not in the order is an error too.</summary>
    public static IEnumerable<string> Violations(IEnumerable<TypeEdge> edges)
    {
        foreach (var edge in edges)
        {
            if (edge.FromFolder == edge.ToFolder) continue;
            var from = LevelOf(edge.FromFolder);
            var to = LevelOf(edge.ToFolder);
            if (from is null) yield return $"{edge} ({edge.FromFolder} is not a folder of the layering: add it to Layering.Levels and src/Operator/README.md)";
            else if (to is null) yield return $"{edge} ({edge.ToFolder} is not a folder of the layering: add it to Layering.Levels and src/Operator/README.md)";
            else if (from == to) yield return $"{edge} ({edge.FromFolder} may not use {edge.ToFolder}: they are siblings)";
            else if (from < to) yield return $"{edge} ({edge.FromFolder} may not use {edge.ToFolder})";
        }
    }

    private static int? LevelOf(string folder)
    {
        for (var level = 0; level < Levels.Count; level++)
        {
            if (Levels[level].Contains(folder, StringComparer.Ordinal)) return level;
        }

        return null;
    }
}
