namespace EksHardening.Operator.Rules;

/// <summary>
/// A Resource/NotResource value compiled for matching ARNs (case-sensitive), in one of two readings. IAM's documentation
/// says a <c>*</c> or <c>?</c> stays within its colon-separated ARN segment unless the <c>*</c> ends the segment, and
/// policy variables (<c>${aws:username}</c>) are filled in per request; where that leaves room for doubt the evaluator
/// takes the reading that grants the role more: <see cref="ArnPatternReading.Broad"/> (every <c>*</c> crosses colons,
/// a variable matches anything) for what an Allow grants or a Deny's NotResource spares, and
/// <see cref="ArnPatternReading.Narrow"/> (segment-bound wildcards, a variable matches nothing) for what a Deny takes
/// away or an Allow's NotResource withholds.
/// </summary>
internal sealed class ArnPattern
{
    private readonly PatternToken[] _tokens;
    private readonly bool[] _universalFrom;

    private ArnPattern(string text, PatternToken[] tokens, bool matchesNothing)
    {
        Text = text;
        _tokens = tokens;
        MatchesNothing = matchesNothing;
        // From position p, does the rest of the pattern accept every continuation?
        _universalFrom = new bool[tokens.Length + 1];
        for (var p = tokens.Length - 1; p >= 0; p--) _universalFrom[p] = tokens[p].Kind == TokenKind.AnyRun && (p == tokens.Length - 1 || _universalFrom[p + 1]);
    }

    public string Text { get; }

    /// <summary>A Narrow reading of a pattern with an unknown policy variable: nothing is certainly matched.</summary>
    public bool MatchesNothing { get; }

    /// <summary>Matches every string (<c>*</c>, <c>**</c>).</summary>
    public bool MatchesEverything => !MatchesNothing && _tokens.Length > 0 && _universalFrom[0];

    internal int Length => _tokens.Length;

    public static ArnPattern Compile(string text, ArnPatternReading reading)
    {
        var tokens = new List<PatternToken>(text.Length);
        var matchesNothing = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '{' && text.IndexOf('}', i + 2) is var close and > 0)
            {
                var variable = text[(i + 2)..close];
                i = close;
                switch (variable)
                {
                    // IAM's escapes for characters that are otherwise special; Broad also lets them stand for themselves as wildcards.
                    case "*" when reading == ArnPatternReading.Broad: tokens.Add(new(TokenKind.AnyRun, '\0')); break;
                    case "?" when reading == ArnPatternReading.Broad: tokens.Add(new(TokenKind.AnyChar, '\0')); break;
                    case "*" or "?" or "$": tokens.Add(new(TokenKind.Literal, variable[0])); break;
                    default:
                        if (reading == ArnPatternReading.Broad) tokens.Add(new(TokenKind.AnyRun, '\0'));
                        else matchesNothing = true;
                        break;
                }

                continue;
            }

            var segmentEnds = i + 1 == text.Length || text[i + 1] == ':';
            tokens.Add(c switch
            {
                '*' => new(reading == ArnPatternReading.Broad || segmentEnds ? TokenKind.AnyRun : TokenKind.AnyRunInSegment, '\0'),
                '?' => new(reading == ArnPatternReading.Broad ? TokenKind.AnyChar : TokenKind.AnyCharInSegment, '\0'),
                _ => new(TokenKind.Literal, c),
            });
        }

        return new ArnPattern(text, [.. tokens], matchesNothing);
    }

    public bool Matches(string value)
    {
        if (MatchesNothing) return false;
        var state = Start();
        foreach (var c in value)
        {
            state = Step(state, c);
            if (state.IsEmpty) return false;
        }

        return Accepts(state);
    }

    internal PositionSet Start() => MatchesNothing ? PositionSet.Empty : Closure(PositionSet.Of(0));

    internal PositionSet Step(PositionSet state, char c)
    {
        var next = PositionSet.Empty;
        foreach (var p in state)
        {
            if (p == _tokens.Length) continue;
            var token = _tokens[p];
            switch (token.Kind)
            {
                case TokenKind.Literal when token.Char == c:
                case TokenKind.AnyChar:
                case TokenKind.AnyCharInSegment when c != ':':
                    next = next.With(p + 1);
                    break;
                case TokenKind.AnyRun:
                case TokenKind.AnyRunInSegment when c != ':':
                    next = next.With(p);
                    break;
            }
        }

        return Closure(next);
    }

    internal bool Accepts(PositionSet state) => state.Contains(_tokens.Length);

    /// <summary>Whatever follows, the pattern will match.</summary>
    internal bool IsUniversal(PositionSet state)
    {
        foreach (var p in state)
        {
            if (p < _tokens.Length && _universalFrom[p]) return true;
        }

        return false;
    }

    internal IEnumerable<char> Literals => _tokens.Where(t => t.Kind == TokenKind.Literal).Select(t => t.Char);

    private PositionSet Closure(PositionSet state)
    {
        var result = state;
        foreach (var p in state)
        {
            for (var q = p; q < _tokens.Length && _tokens[q].Kind is TokenKind.AnyRun or TokenKind.AnyRunInSegment; q++) result = result.With(q + 1);
        }

        return result;
    }

    public override string ToString() => Text;

    private enum TokenKind : byte
    {
        Literal,
        AnyChar,
        AnyCharInSegment,
        AnyRun,
        AnyRunInSegment,
    }

    private readonly record struct PatternToken(TokenKind Kind, char Char);
}

/// <summary>How a Resource/NotResource value is read where IAM leaves doubt (see <see cref="ArnPattern"/>).</summary>
internal enum ArnPatternReading
{
    Broad,
    Narrow,
}

/// <summary>The positions a pattern's matcher can be in: a small immutable bit set.</summary>
internal readonly struct PositionSet : IEquatable<PositionSet>
{
    private readonly ulong[]? _words;

    private PositionSet(ulong[]? words) => _words = words;

    public static PositionSet Empty => default;

    public bool IsEmpty => _words is null;

    public static PositionSet Of(int position) => Empty.With(position);

    public PositionSet With(int position)
    {
        var word = position >> 6;
        var bit = 1UL << (position & 63);
        if (_words is not null && word < _words.Length && (_words[word] & bit) != 0) return this;
        var words = new ulong[Math.Max(word + 1, _words?.Length ?? 0)];
        _words?.CopyTo(words, 0);
        words[word] |= bit;
        return new PositionSet(words);
    }

    public bool Contains(int position)
    {
        var word = position >> 6;
        return _words is not null && word < _words.Length && (_words[word] & (1UL << (position & 63))) != 0;
    }

    public Enumerator GetEnumerator() => new(_words);

    public bool Equals(PositionSet other)
    {
        var a = _words ?? [];
        var b = other._words ?? [];
        var n = Math.Max(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if ((i < a.Length ? a[i] : 0) != (i < b.Length ? b[i] : 0)) return false;
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is PositionSet other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        if (_words is not null)
        {
            var last = _words.Length - 1;
            while (last >= 0 && _words[last] == 0) last--;
            for (var i = 0; i <= last; i++) hash.Add(_words[i]);
        }

        return hash.ToHashCode();
    }

    public struct Enumerator(ulong[]? words)
    {
        private int _word;
        private ulong _rest = words is { Length: > 0 } ? words[0] : 0;

        public int Current { get; private set; }

        public bool MoveNext()
        {
            if (words is null) return false;
            while (_rest == 0)
            {
                if (++_word >= words.Length) return false;
                _rest = words[_word];
            }

            var bit = System.Numerics.BitOperations.TrailingZeroCount(_rest);
            _rest &= _rest - 1;
            Current = (_word << 6) + bit;
            return true;
        }
    }
}

/// <summary>One requirement on a resource string: it matches one of the patterns, or none of them.</summary>
internal sealed record ArnClause(IReadOnlyList<ArnPattern> Patterns, bool MatchesOne)
{
    public static ArnClause One(IReadOnlyList<ArnPattern> patterns) => new(patterns, true);

    public static ArnClause None(IReadOnlyList<ArnPattern> patterns) => new(patterns, false);
}

/// <summary>
/// Decides whether some string satisfies every clause at once, by walking the product of the patterns' matchers over a
/// finite alphabet (each literal character of the patterns, plus one character standing for all others). Exact for the
/// wildcard language; a search that would exceed the state budget answers null ("unknown") and the caller takes the
/// reading that grants more.
/// </summary>
internal static class ArnSearch
{
    public const int DefaultBudget = 20_000;

    public static bool? Exists(IReadOnlyList<ArnClause> clauses, int budget = DefaultBudget)
    {
        // Cheap verdicts first: a "one of" clause with nothing matchable, or a "none of" clause with "*" in it.
        var live = new List<ArnClause>(clauses.Count);
        foreach (var clause in clauses)
        {
            if (clause.MatchesOne)
            {
                var patterns = clause.Patterns.Where(p => !p.MatchesNothing).ToList();
                if (patterns.Count == 0) return false;
                if (patterns.Any(p => p.MatchesEverything)) continue;
                live.Add(ArnClause.One(patterns));
            }
            else
            {
                if (clause.Patterns.Any(p => p.MatchesEverything)) return false;
                var patterns = clause.Patterns.Where(p => !p.MatchesNothing).ToList();
                if (patterns.Count > 0) live.Add(ArnClause.None(patterns));
            }
        }

        if (live.Count == 0) return true;

        var patternsInOrder = live.SelectMany(c => c.Patterns).ToArray();
        var alphabet = patternsInOrder.SelectMany(p => p.Literals).Append(':').Distinct().ToList();
        var other = '\uE000';
        while (alphabet.Contains(other)) other++;
        alphabet.Add(other);

        var start = patternsInOrder.Select(p => p.Start()).ToArray();
        var seen = new HashSet<StateKey>(new StateKey.Comparer()) { new(start) };
        var queue = new Queue<PositionSet[]>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            if (Satisfied(live, patternsInOrder, state)) return true;
            if (Dead(live, patternsInOrder, state)) continue;
            foreach (var c in alphabet)
            {
                var next = new PositionSet[state.Length];
                for (var i = 0; i < state.Length; i++) next[i] = patternsInOrder[i].Step(state[i], c);
                if (!seen.Add(new StateKey(next))) continue;
                if (seen.Count > budget) return null;
                queue.Enqueue(next);
            }
        }

        return false;
    }

    private static bool Satisfied(List<ArnClause> clauses, ArnPattern[] patterns, PositionSet[] state)
    {
        var index = 0;
        foreach (var clause in clauses)
        {
            var any = false;
            for (var i = 0; i < clause.Patterns.Count; i++, index++) any |= patterns[index].Accepts(state[index]);
            if (any != clause.MatchesOne) return false;
        }

        return true;
    }

    /// <summary>No continuation can satisfy the clauses: a "one of" clause whose matchers all died, or a "none of" clause bound to match.</summary>
    private static bool Dead(List<ArnClause> clauses, ArnPattern[] patterns, PositionSet[] state)
    {
        var index = 0;
        foreach (var clause in clauses)
        {
            var alive = false;
            var universal = false;
            for (var i = 0; i < clause.Patterns.Count; i++, index++)
            {
                alive |= !state[index].IsEmpty;
                universal |= patterns[index].IsUniversal(state[index]);
            }

            if (clause.MatchesOne ? !alive : universal) return true;
        }

        return false;
    }

    private readonly record struct StateKey(PositionSet[] Sets)
    {
        public sealed class Comparer : IEqualityComparer<StateKey>
        {
            public bool Equals(StateKey x, StateKey y) => x.Sets.AsSpan().SequenceEqual(y.Sets);

            public int GetHashCode(StateKey key)
            {
                var hash = new HashCode();
                foreach (var set in key.Sets) hash.Add(set);
                return hash.ToHashCode();
            }
        }
    }
}
