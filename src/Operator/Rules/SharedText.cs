namespace EksHardening.Operator.Rules;

/// <summary>
/// The text of findings (messages and paths) through one fixed, lossy table, so that what many resources repeat is
/// one string: the replicas of a Deployment, the pods of a DaemonSet and every workload with the same sidecar fail the
/// same check with the same words ("container envoy: securityContext.privileged is true",
/// <c>spec.template.spec.containers[1].image</c>). The operator keeps the findings of every resource, so each copy
/// would stay in memory; the rule engine makes thousands a second, so each copy would also be collected. A slot holds
/// the last text that hashed to it: a hit returns that instance, a miss takes the slot. Strings are immutable, so a
/// racing writer can only cost a hit, never return a wrong text.
/// </summary>
public static class SharedText
{
    private const int SlotCount = 16384;

    private static readonly string?[] Slots = new string?[SlotCount];

    /// <summary>The instance already held for <paramref name="text"/>'s content, else <paramref name="text"/>, which takes the slot.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Of(string? text) => string.IsNullOrEmpty(text) ? text : Share(text, text);

    /// <summary><paramref name="first"/> + <paramref name="second"/>, allocated only when the table does not hold it.</summary>
    public static string Concat(ReadOnlySpan<char> first, ReadOnlySpan<char> second) => Concat(first, second, []);

    /// <summary><paramref name="first"/> + <paramref name="second"/> + <paramref name="third"/>, allocated only when the table does not hold it.</summary>
    public static string Concat(ReadOnlySpan<char> first, ReadOnlySpan<char> second, ReadOnlySpan<char> third)
    {
        var length = first.Length + second.Length + third.Length;
        if (length == 0) return "";
        // Put together in a pooled buffer (a stack one would be cleared on every call).
        var buffer = ArrayPool<char>.Shared.Rent(length);
        var text = buffer.AsSpan(0, length);
        first.CopyTo(text);
        second.CopyTo(text[first.Length..]);
        third.CopyTo(text[(first.Length + second.Length)..]);
        var shared = Share(text, instance: null);
        ArrayPool<char>.Shared.Return(buffer);
        return shared;
    }

    /// <summary>The held instance equal to <paramref name="text"/>, else <paramref name="instance"/> (made from the text when null), which takes the slot.</summary>
    private static string Share(ReadOnlySpan<char> text, string? instance)
    {
        ref var slot = ref Slots[string.GetHashCode(text, StringComparison.Ordinal) & (SlotCount - 1)];
        var held = Volatile.Read(ref slot);
        if (held is not null && text.SequenceEqual(held)) return held;
        instance ??= new string(text);
        Volatile.Write(ref slot, instance);
        return instance;
    }
}
