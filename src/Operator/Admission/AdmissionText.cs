namespace EksHardening.Operator.Admission;

/// <summary>
/// Bounds and cleans text that goes back to the API server. Finding messages quote container names and
/// image references from the admitted object; they are returned as plain text without control or
/// bidirectional-override characters (JSON escaping happens in the writer), and never longer than a limit.
/// </summary>
public static class AdmissionText
{
    /// <summary>Longest denial message; kubectl prints it on one line after "denied the request:".</summary>
    public const int MaxMessageLength = 1024;

    /// <summary>The API server truncates warnings over 256 characters; 120 is its advice.</summary>
    public const int MaxWarningLength = 256;

    /// <summary>More warnings than this are summarized in a last one ("... and N more").</summary>
    public const int MaxWarnings = 20;

    private const char Ellipsis = '…';

    /// <summary>Replaces control, format (bidi overrides, zero-width) and unpaired surrogate characters with '?' and cuts to <paramref name="maxLength"/> (ending in '…' when cut).</summary>
    public static string Clean(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text) || maxLength <= 0) return "";
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        var i = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (builder.Length + 2 > maxLength) break;
                builder.Append(c).Append(text[++i]);
                continue;
            }

            if (builder.Length + 1 > maxLength) break;
            builder.Append(IsUnsafe(c) ? '?' : c);
        }

        if (i < text.Length)
        {
            // Cut: make room for the ellipsis without splitting a surrogate pair.
            builder.Length = Math.Min(builder.Length, maxLength - 1);
            if (builder.Length > 0 && char.IsHighSurrogate(builder[^1])) builder.Length--;
            builder.Append(Ellipsis);
        }

        return builder.ToString();
    }

    private static bool IsUnsafe(char c) =>
        char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned;

    /// <summary>Caps a warning list: at most <see cref="MaxWarnings"/>, the last one counting the rest.</summary>
    public static IReadOnlyList<string> CapWarnings(List<string> warnings)
    {
        if (warnings.Count <= MaxWarnings) return warnings;
        var kept = warnings.GetRange(0, MaxWarnings - 1);
        kept.Add($"... and {warnings.Count - kept.Count} more warnings");
        return kept;
    }
}
