namespace EksHardening.Operator.Rules;

/// <summary>
/// Go's <c>time.ParseDuration</c> syntax, as Kubernetes and CEL's <c>duration()</c> read it: a sign, then
/// one or more decimal numbers each with a unit (ns, us, µs, ms, s, m, h), e.g. "168h", "1h30m", "1.5s";
/// "0" alone is zero. Values beyond Go's range (about 292 years) do not parse.
/// </summary>
public static class DurationParser
{
    private const ulong MaxNanoseconds = 1UL << 63;

    private static readonly Dictionary<string, ulong> Units = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = 1_000,
        ["µs"] = 1_000, // U+00B5 micro sign
        ["μs"] = 1_000, // U+03BC Greek mu
        ["ms"] = 1_000_000,
        ["s"] = 1_000_000_000,
        ["m"] = 60 * 1_000_000_000UL,
        ["h"] = 3600 * 1_000_000_000UL,
    };

    public static bool TryParse(string? text, out TimeSpan value)
    {
        var ok = TryParseNanoseconds(text, out var nanoseconds);
        value = TimeSpan.FromTicks(nanoseconds / 100);
        return ok;
    }

    /// <summary>The exact value in nanoseconds, as Go's <c>time.Duration</c> holds it.</summary>
    public static bool TryParseNanoseconds(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text)) return false;

        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0") return true;
        if (s.IsEmpty) return false;

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0]))) return false;

            // The integer part.
            var start = s.Length;
            if (!TryLeadingInt(ref s, out var whole)) return false;
            var hasWhole = s.Length != start;

            // The fraction: digits past what fits are dropped, as Go does.
            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var fractionStart = s.Length;
                var overflow = false;
                while (!s.IsEmpty && char.IsAsciiDigit(s[0]))
                {
                    if (!overflow)
                    {
                        if (fraction > (long.MaxValue - 9) / 10) overflow = true;
                        else
                        {
                            fraction = fraction * 10 + (ulong)(s[0] - '0');
                            scale *= 10;
                        }
                    }

                    s = s[1..];
                }

                hasFraction = s.Length != fractionStart;
            }

            if (!hasWhole && !hasFraction) return false;

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength])) unitLength++;
            if (unitLength == 0 || !Units.TryGetValue(s[..unitLength].ToString(), out var unit)) return false;
            s = s[unitLength..];

            if (whole > MaxNanoseconds / unit) return false;
            var nanoseconds = whole * unit;
            if (fraction > 0)
            {
                nanoseconds += (ulong)(fraction * (unit / scale));
                if (nanoseconds > MaxNanoseconds) return false;
            }

            total += nanoseconds;
            if (total > MaxNanoseconds) return false;
        }

        if (!negative && total > MaxNanoseconds - 1) return false;
        value = negative ? (long)(0UL - total) : (long)total;
        return true;
    }

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        while (!s.IsEmpty && char.IsAsciiDigit(s[0]))
        {
            if (value > MaxNanoseconds / 10) return false;
            value = value * 10 + (ulong)(s[0] - '0');
            if (value > MaxNanoseconds) return false;
            s = s[1..];
        }

        return true;
    }
}
