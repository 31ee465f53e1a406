namespace EksHardening.Operator.Rules;

/// <summary>Whether a selector selects an object: yes, no, or undecidable because a label value is only known at run time.</summary>
public enum SelectorMatch
{
    No,
    Yes,
    Unknown,
}

/// <summary>Kubernetes label selector semantics (matchLabels AND matchExpressions).</summary>
public static class LabelSelectors
{
    /// <summary>
    /// Stands for the value of a label that is present but whose value a controller sets when it creates the pod
    /// (<c>pod-template-hash</c>, a StatefulSet pod's name). Never a valid label value, so it cannot collide with one.
    /// </summary>
    public const string ValueSetAtRunTime = "<set at run time>";

    /// <summary>
    /// Three-valued <see cref="Matches(V1LabelSelector?, IDictionary{string, string}?)"/>: a label whose value is
    /// <see cref="ValueSetAtRunTime"/> decides Exists and DoesNotExist, but not a value comparison (matchLabels, In,
    /// NotIn), which is then <see cref="SelectorMatch.Unknown"/> unless another requirement already fails.
    /// </summary>
    public static SelectorMatch Decide(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return SelectorMatch.No;
        var result = SelectorMatch.Yes;
        // The deserialized dictionary through its own (struct) enumerator: one over the interface is an allocation
        // per policy and template.
        if (selector.MatchLabels is Dictionary<string, string> dictionary)
        {
            foreach (var pair in dictionary)
            {
                if (!Decide(pair, labels, ref result)) return SelectorMatch.No;
            }
        }
        else if (selector.MatchLabels is { } matchLabels)
        {
            foreach (var pair in matchLabels)
            {
                if (!Decide(pair, labels, ref result)) return SelectorMatch.No;
            }
        }

        // Indexed rather than foreach over the interface: this runs for every policy and template, and must not allocate.
        if (selector.MatchExpressions is not { } expressions) return result;
        for (var i = 0; i < expressions.Count; i++)
        {
            switch (Decide(expressions[i], labels))
            {
                case SelectorMatch.No: return SelectorMatch.No;
                case SelectorMatch.Unknown: result = SelectorMatch.Unknown; break;
            }
        }

        return result;
    }

    /// <summary>One matchLabels entry: false when it fails; an entry on a label set at run time makes <paramref name="result"/> unknown.</summary>
    private static bool Decide(KeyValuePair<string, string> matchLabel, IDictionary<string, string>? labels, ref SelectorMatch result)
    {
        if (labels is null || !labels.TryGetValue(matchLabel.Key, out var actual)) return false;
        if (actual == ValueSetAtRunTime) result = SelectorMatch.Unknown;
        else if (actual != matchLabel.Value) return false;
        return true;
    }

    /// <summary>The keys the selector compares by value that carry <see cref="ValueSetAtRunTime"/> in <paramref name="labels"/>, sorted.</summary>
    public static IReadOnlyList<string> KeysSetAtRunTime(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null || labels is null) return [];
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in selector.MatchLabels?.Keys ?? [])
        {
            if (labels.TryGetValue(key, out var value) && value == ValueSetAtRunTime) keys.Add(key);
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            if (requirement.OperatorProperty is "In" or "NotIn" && requirement.Key is { } key
                && labels.TryGetValue(key, out var value) && value == ValueSetAtRunTime)
            {
                keys.Add(key);
            }
        }

        return [.. keys];
    }

    /// <summary>
    /// True when <paramref name="selector"/> selects <paramref name="labels"/>. A null selector selects
    /// nothing; an empty one selects everything, as in the Kubernetes API.
    /// </summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return false;
        if (selector.MatchLabels is { } matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }

        if (selector.MatchExpressions is { } expressions)
        {
            for (var i = 0; i < expressions.Count; i++)
            {
                if (!Matches(expressions[i], labels)) return false;
            }
        }

        return true;
    }

    /// <summary>An empty selector (<c>{}</c>): selects every object.</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels is null || selector.MatchLabels.Count == 0)
                             && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);

    private static SelectorMatch Decide(V1LabelSelectorRequirement requirement, IDictionary<string, string>? labels)
    {
        string? actual = null;
        var has = labels is not null && labels.TryGetValue(requirement.Key ?? "", out actual);
        if (has && actual == ValueSetAtRunTime && requirement.OperatorProperty is "In" or "NotIn") return SelectorMatch.Unknown;
        return Matches(requirement, labels) ? SelectorMatch.Yes : SelectorMatch.No;
    }

    private static bool Matches(V1LabelSelectorRequirement requirement, IDictionary<string, string>? labels)
    {
        string? actual = null;
        var has = labels is not null && labels.TryGetValue(requirement.Key ?? "", out actual);
        var values = requirement.Values;
        return requirement.OperatorProperty switch
        {
            "In" => has && values is not null && values.Contains(actual!),
            "NotIn" => !has || values is null || !values.Contains(actual!),
            "Exists" => has,
            "DoesNotExist" => !has,
            // An unknown operator is invalid in the API; it selects nothing rather than everything.
            _ => false,
        };
    }
}
