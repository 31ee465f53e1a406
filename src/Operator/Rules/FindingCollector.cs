namespace EksHardening.Operator.Rules;

/// <summary>
/// Gathers the findings of one resource. Families report failures and errors; every enabled rule
/// that reported nothing and was not declared not-applicable becomes a pass. Unless told not to share, messages and
/// paths are kept as <see cref="SharedText"/>, findings as <see cref="SharedFindings"/>: what other resources already
/// said is not kept twice.
/// </summary>
public sealed class FindingCollector
{
    /// <summary>Pass findings carry nothing resource-specific, so one instance per rule serves every resource.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RuleDefinition, Finding> Passes = [];

    /// <summary>Passes with a note (e.g. which digest algorithm pinned an image), shared by every resource with that note.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(RuleDefinition, string), Finding> NotedPasses = new();
    private const int NotedPassLimit = 10_000;

    private static readonly List<Finding> NoFindings = [];

    private readonly bool _share;

    // Made on the first fail or error: a resource that passes every rule needs no list.
    private List<Finding>? _findings;
    private HashSet<RuleDefinition>? _notApplicable;
    // The first rule's note inline (most resources have at most one), further ones in the dictionary.
    private RuleDefinition? _firstNotedRule;
    private string? _firstNote;
    private Dictionary<RuleDefinition, string>? _passNotes;

    /// <param name="share">
    /// Whether findings and their text are kept as shared instances: worth its hashing where they outlive the
    /// evaluation (the operator's caches, the scan's report), not where they are read once (an admission request).
    /// </param>
    public FindingCollector(bool share = true) => _share = share;

    public IReadOnlyList<Finding> Findings => _findings ?? NoFindings;

    public void Fail(RuleDefinition rule, string message, string? path = null, string? image = null) =>
        Add(new Finding(rule, FindingResult.Fail, Kept(message), Kept(path), image));

    /// <summary>A fail that only running pods can confirm or clear: it rests on a label whose value is set at run time.</summary>
    public void FailUntilRunTime(RuleDefinition rule, string message, string? path = null) =>
        Add(new Finding(rule, FindingResult.Fail, Kept(message), Kept(path)) { RestsOnRunTimeLabels = true });

    /// <summary>The fact the rule needs could not be learned: never a pass.</summary>
    public void Error(RuleDefinition rule, string message, string? path = null, string? image = null) =>
        Add(new Finding(rule, FindingResult.Error, Kept(message), Kept(path), image));

    /// <summary>An error that only running pods can confirm or clear (see <see cref="FailUntilRunTime"/>).</summary>
    public void ErrorUntilRunTime(RuleDefinition rule, string message, string? path = null) =>
        Add(new Finding(rule, FindingResult.Error, Kept(message), Kept(path)) { RestsOnRunTimeLabels = true });

    // A failing resource usually fails several rules: start where the first growths would end.
    private void Add(Finding finding) => (_findings ??= new List<Finding>(16)).Add(_share ? SharedFindings.Of(finding) : finding);

    [return: NotNullIfNotNull(nameof(text))]
    private string? Kept(string? text) => _share ? SharedText.Of(text) : text;

    /// <summary>
    /// What the pass says when the rule reports nothing else for this resource. Notes carry no resource names, so
    /// that few distinct passes exist.
    /// </summary>
    public void PassNote(RuleDefinition rule, string note)
    {
        if (_firstNotedRule is null || EqualityComparer<RuleDefinition>.Default.Equals(_firstNotedRule, rule)) (_firstNotedRule, _firstNote) = (rule, note);
        else (_passNotes ??= [])[rule] = note;
    }

    private string? PassNoteOf(RuleDefinition rule) =>
        _firstNotedRule is not null && EqualityComparer<RuleDefinition>.Default.Equals(_firstNotedRule, rule) ? _firstNote : _passNotes?.GetValueOrDefault(rule);

    /// <summary>The rule does not concern this resource (e.g. no IAM role to share): no pass, no fail.</summary>
    public void NotApplicable(RuleDefinition rule) => (_notApplicable ??= []).Add(rule);

    /// <summary>Forgets what was reported, keeping the room: one collector serves every workload of an evaluation.</summary>
    internal void Clear()
    {
        _findings?.Clear();
        _notApplicable?.Clear();
        (_firstNotedRule, _firstNote) = (null, null);
        _passNotes?.Clear();
    }

    /// <summary>Adds a pass for each rule that produced nothing; returns the findings in rule order.</summary>
    internal List<Finding> Complete(IReadOnlyList<RuleDefinition> enabledRules) => Complete(enabledRules, passes: null, shareList: false);

    /// <summary>
    /// As <see cref="Complete(IReadOnlyList{RuleDefinition})"/>, as the <see cref="SharedFindings"/> list: made only when
    /// no other resource's list holds the same findings (a passing workload's rarely needs one). Read-only to the caller.
    /// </summary>
    /// <param name="passes"><see cref="PassesOf"/> the enabled rules.</param>
    internal List<Finding> CompleteShared(IReadOnlyList<RuleDefinition> enabledRules, Finding[] passes) => Complete(enabledRules, passes, shareList: true);

    /// <summary>The shared pass of each rule, in order: looked up once per evaluation, not per resource and rule.</summary>
    internal static Finding[] PassesOf(IReadOnlyList<RuleDefinition> rules) => [.. rules.Select(PassOf)];

    private static Finding PassOf(RuleDefinition rule) => Passes.GetValue(rule, static r => new Finding(r, FindingResult.Pass, "ok"));

    private List<Finding> Complete(IReadOnlyList<RuleDefinition> enabledRules, Finding[]? passes, bool shareList)
    {
        var reported = _findings ?? NoFindings;
        // Gathered in a pooled array and copied into a list of the exact size: the operator keeps it.
        var gathered = ArrayPool<Finding>.Shared.Rent(enabledRules.Count + reported.Count);
        var count = 0;
        // Indexed: a foreach over the interface would allocate an enumerator per resource.
        for (var r = 0; r < enabledRules.Count; r++)
        {
            var rule = enabledRules[r];
            var any = false;
            foreach (var finding in reported)
            {
                if (ReferenceEquals(finding.Rule, rule))
                {
                    gathered[count++] = finding;
                    any = true;
                }
            }

            if (!any && _notApplicable?.Contains(rule) != true)
            {
                gathered[count++] = PassNoteOf(rule) is { } note
                    ? NotedPass(rule, note)
                    : passes?[r] ?? PassOf(rule);
            }
        }

        var result = shareList ? SharedFindings.OfGathered(gathered.AsSpan(0, count)) : SharedFindings.NewList(gathered.AsSpan(0, count));
        ArrayPool<Finding>.Shared.Return(gathered, clearArray: true);
        return result;
    }

    private static Finding NotedPass(RuleDefinition rule, string note)
    {
        if (NotedPasses.TryGetValue((rule, note), out var shared)) return shared;
        if (NotedPasses.Count >= NotedPassLimit) NotedPasses.Clear();
        return NotedPasses.GetOrAdd((rule, note), static key => new Finding(key.Item1, FindingResult.Pass, key.Item2));
    }
}
