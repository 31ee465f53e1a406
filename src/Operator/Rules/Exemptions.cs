namespace EksHardening.Operator.Rules;

/// <summary>
/// A policy's exemptions, split into those in force and those expired at evaluation time.
/// An exemption matches by namespace, label selector, container image and rule glob; all that are
/// given must hold.
/// </summary>
public sealed partial class Exemptions
{
    /// <summary>
    /// Matchers by exemption instance: compiling a rule glob builds a regex automaton of tens of KB, which, done per
    /// admission request, was nine tenths of a decision's allocation. An entry serves only while its exemption still
    /// holds what it was compiled from, so an exemption changed in place is compiled again, never matched stale.
    /// </summary>
    private static readonly ConditionalWeakTable<PolicyExemption, CompiledExemption> Compiled = [];

    private readonly List<CompiledExemption> _active = [];
    private readonly List<CompiledExemption> _expired = [];

    public Exemptions(IEnumerable<PolicyExemption>? exemptions, DateTimeOffset now)
    {
        foreach (var exemption in exemptions ?? [])
        {
            // Expiry is read on every evaluation: it depends on the clock, not on what is compiled.
            (exemption.Expires is { } expires && expires <= now ? _expired : _active).Add(CompiledFor(exemption));
        }
    }

    private static CompiledExemption CompiledFor(PolicyExemption exemption)
    {
        if (Compiled.TryGetValue(exemption, out var known) && known.IsCompiledFrom(exemption)) return known;
        var compiled = new CompiledExemption(exemption);
        Compiled.AddOrUpdate(exemption, compiled);
        return compiled;
    }

    public IReadOnlyList<ExpiredExemption> Expired =>
        _expired.Select(e => new ExpiredExemption(e.Source.Name, e.Source.Expires!.Value, e.Source.Reason)).ToList();

    public bool IsEmpty => _active.Count == 0 && _expired.Count == 0;

    /// <summary>Turns fails and errors covered by an exemption into <c>exempt</c>; notes expired ones that would have.</summary>
    public List<Finding> Apply(List<Finding> findings, string ns, IDictionary<string, string>? objectLabels, IDictionary<string, string>? podLabels, bool isWorkload) =>
        Rewrite(findings, copyOnWrite: false, ns, objectLabels, podLabels, isWorkload);

    /// <summary>
    /// As <see cref="Apply"/>, for a list that must stay as it is (a cached one): the list itself when no exemption
    /// rewrites a finding of it (the common, passing case allocates nothing), else a rewritten copy.
    /// </summary>
    public List<Finding> ApplyToShared(List<Finding> shared, string ns, IDictionary<string, string>? objectLabels, IDictionary<string, string>? podLabels, bool isWorkload) =>
        Rewrite(shared, copyOnWrite: true, ns, objectLabels, podLabels, isWorkload);

    private List<Finding> Rewrite(List<Finding> findings, bool copyOnWrite, string ns, IDictionary<string, string>? objectLabels, IDictionary<string, string>? podLabels, bool isWorkload)
    {
        if (IsEmpty) return findings;
        List<Finding>? rewritten = copyOnWrite ? null : findings;
        for (var i = 0; i < findings.Count; i++)
        {
            var finding = findings[i];
            if (finding.Result is not (FindingResult.Fail or FindingResult.Error)) continue;
            var active = FirstCovering(_active, finding, ns, objectLabels, podLabels, isWorkload);
            if (active is not null)
            {
                (rewritten ??= [.. findings])[i] = finding with { Result = FindingResult.Exempt, Exemption = active.Source.Name };
                continue;
            }

            var expired = FirstCovering(_expired, finding, ns, objectLabels, podLabels, isWorkload);
            if (expired is not null)
            {
                (rewritten ??= [.. findings])[i] = finding with
                {
                    Message = $"{finding.Message} (exemption '{expired.Source.Name}' expired {expired.Source.Expires!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})",
                };
            }
        }

        return rewritten ?? findings;
    }

    private static CompiledExemption? FirstCovering(List<CompiledExemption> exemptions, Finding finding, string ns,
        IDictionary<string, string>? objectLabels, IDictionary<string, string>? podLabels, bool isWorkload)
    {
        foreach (var exemption in exemptions)
        {
            if (exemption.Covers(finding, ns, objectLabels, podLabels, isWorkload)) return exemption;
        }

        return null;
    }

    /// <summary>
    /// An exemption's rule entry as a pattern: <c>*</c> matches any run of characters, dots included (<c>pss.*</c>).
    /// Matched without backtracking (linear in the id's length), so no entry of a policy, however many stars it holds,
    /// can make evaluation slow; a run of stars is one star.
    /// </summary>
    /// <remarks>Built once per entry text: a non-backtracking regex is costly to build, and besides the exemptions
    /// compiled here (once per exemption, <see cref="Compiled"/>) the spec's semantic checks, made at every evaluation,
    /// ask for every entry. A regex is immutable and safe to share between threads; its text alone decides what it matches.</remarks>
    public static Regex RuleGlob(string glob)
    {
        if (RuleGlobs.TryGetValue(glob, out var regex)) return regex;
        if (RuleGlobs.Count >= RuleGlobLimit) RuleGlobs.Clear();
        return RuleGlobs.GetOrAdd(glob, static text =>
            new("^" + Regex.Escape(StarRuns().Replace(text.Trim(), "*")).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking));
    }

    private const int RuleGlobLimit = 1_000;
    private static readonly ConcurrentDictionary<string, Regex> RuleGlobs = new(StringComparer.Ordinal);

    [GeneratedRegex(@"\*{2,}")]
    private static partial Regex StarRuns();

    /// <summary>One exemption's namespace set, image patterns and rule globs, with the entries they were compiled from.</summary>
    private sealed class CompiledExemption
    {
        private readonly string[] _namespaceEntries;
        private readonly string[] _imageEntries;
        private readonly string[] _ruleEntries;
        private readonly HashSet<string>? _namespaces;
        private readonly ImagePattern[]? _images;
        private readonly Regex[] _rules;

        public CompiledExemption(PolicyExemption source)
        {
            Source = source;
            _namespaceEntries = [.. source.Namespaces ?? []];
            _imageEntries = [.. source.Images ?? []];
            _ruleEntries = [.. source.Rules ?? []];
            _namespaces = _namespaceEntries.Length > 0 ? new HashSet<string>(_namespaceEntries, StringComparer.Ordinal) : null;
            // Compiled from the copy, not through ImagePattern's cache by list instance, which a list changed in place would outlive.
            _images = _imageEntries.Length > 0 ? Array.ConvertAll(_imageEntries, p => ImagePattern.Compile(p, ImagePatternUse.Exemption)) : null;
            _rules = Array.ConvertAll(_ruleEntries, RuleGlob);
        }

        public PolicyExemption Source { get; }

        /// <summary>Whether <paramref name="source"/>'s namespaces, images and rules are still those compiled (selector and expiry are read live).</summary>
        public bool IsCompiledFrom(PolicyExemption source) =>
            ReferenceEquals(source, Source)
            && SameEntries(source.Namespaces, _namespaceEntries)
            && SameEntries(source.Images, _imageEntries)
            && SameEntries(source.Rules, _ruleEntries);

        private static bool SameEntries(List<string>? current, string[] compiled)
        {
            if ((current?.Count ?? 0) != compiled.Length) return false;
            for (var i = 0; i < compiled.Length; i++)
            {
                if (!string.Equals(current![i], compiled[i], StringComparison.Ordinal)) return false;
            }

            return true;
        }

        public bool Covers(Finding finding, string ns, IDictionary<string, string>? objectLabels, IDictionary<string, string>? podLabels, bool isWorkload)
        {
            if (_namespaces is not null && !_namespaces.Contains(ns)) return false;
            if (Source.Selector is { } selector)
            {
                if (!isWorkload) return false;
                if (!LabelSelectors.Matches(selector, objectLabels) && !LabelSelectors.Matches(selector, podLabels)) return false;
            }

            if (_images is not null)
            {
                if (finding.Image is null || ImageReference.TryParse(finding.Image, out _) is not { } image) return false;
                if (!ImagePattern.AnyMatchesReference(_images, image)) return false;
            }

            foreach (var rule in _rules)
            {
                if (rule.IsMatch(finding.Rule.Id)) return true;
            }

            return false;
        }
    }
}
