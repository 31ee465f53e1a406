namespace EksHardening.Operator.Rules;

/// <summary>
/// Findings, and workloads' lists of them, through fixed, lossy tables as <see cref="SharedText"/> keeps their text:
/// the replicas of a template and the workloads that fail the same check in the same container say the same, and the
/// operator keeps what every resource says. Findings are immutable records, so one instance serves every resource
/// that reports it. A finding is compared by the identity of its parts, which <see cref="SharedText"/> has already
/// made one instance each; one whose text the table did not hold is simply not shared. A list is shared when it holds
/// the same finding instances in the same order: nearly every passing workload's list, and the lists of identical
/// failing ones.
/// </summary>
public static class SharedFindings
{
    private const int SlotCount = 8192;

    private static readonly Finding?[] FindingSlots = new Finding?[SlotCount];
    private static readonly List<Finding>?[] ListSlots = new List<Finding>?[SlotCount];

    /// <summary>The instance already held for a finding with the same parts, else <paramref name="finding"/>, which takes the slot.</summary>
    public static Finding Of(Finding finding)
    {
        var hash = HashCode.Combine(Identity(finding.Rule), finding.Result, Identity(finding.Message), Identity(finding.Path), Identity(finding.Image),
            Identity(finding.Exemption), finding.RestsOnRunTimeLabels);
        ref var slot = ref FindingSlots[hash & (SlotCount - 1)];
        var held = Volatile.Read(ref slot);
        if (held is not null && SameParts(held, finding)) return held;
        Volatile.Write(ref slot, finding);
        return finding;
    }

    /// <summary>
    /// The list already held with the same finding instances in the same order, else <paramref name="findings"/>, which
    /// takes the slot. The caller and whoever it hands the result to must not change it: another resource may hold it.
    /// </summary>
    public static List<Finding> Of(List<Finding> findings) => Of(CollectionsMarshal.AsSpan(findings), findings);

    /// <summary>As <see cref="Of(List{Finding})"/> for findings gathered in a buffer: a list of them is made only when none is held.</summary>
    public static List<Finding> OfGathered(ReadOnlySpan<Finding> findings) => Of(findings, instance: null);

    private static List<Finding> Of(ReadOnlySpan<Finding> findings, List<Finding>? instance)
    {
        var hash = new HashCode();
        foreach (var finding in findings) hash.Add(Identity(finding));
        ref var slot = ref ListSlots[hash.ToHashCode() & (SlotCount - 1)];
        var held = Volatile.Read(ref slot);
        if (held is not null && SameItems(CollectionsMarshal.AsSpan(held), findings)) return held;
        instance ??= NewList(findings);
        Volatile.Write(ref slot, instance);
        return instance;
    }

    /// <summary>A new list of exactly these findings.</summary>
    internal static List<Finding> NewList(ReadOnlySpan<Finding> findings)
    {
        var list = new List<Finding>(findings.Length);
        CollectionsMarshal.SetCount(list, findings.Length);
        findings.CopyTo(CollectionsMarshal.AsSpan(list));
        return list;
    }

    private static bool SameItems(ReadOnlySpan<Finding> a, ReadOnlySpan<Finding> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (!ReferenceEquals(a[i], b[i])) return false;
        }

        return true;
    }

    private static int Identity(object? part) => RuntimeHelpers.GetHashCode(part);

    private static bool SameParts(Finding a, Finding b) =>
        ReferenceEquals(a.Rule, b.Rule) && a.Result == b.Result && ReferenceEquals(a.Message, b.Message) && ReferenceEquals(a.Path, b.Path)
        && ReferenceEquals(a.Image, b.Image) && ReferenceEquals(a.Exemption, b.Exemption) && a.RestsOnRunTimeLabels == b.RestsOnRunTimeLabels;
}
