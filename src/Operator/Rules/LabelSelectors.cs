using k8s.Models;

namespace EksHardening.Operator.Rules;

/// <summary>Kubernetes label selector semantics (matchLabels AND matchExpressions).</summary>
public static class LabelSelectors
{
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
            foreach (var requirement in expressions)
            {
                if (!Matches(requirement, labels)) return false;
            }
        }

        return true;
    }

    /// <summary>An empty selector (<c>{}</c>): selects every object.</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels is null || selector.MatchLabels.Count == 0)
                             && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);

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
