using EksHardening.Operator.Policies;

namespace EksHardening.Operator.Hosting;

/// <summary>
/// The checks the options validators share, each message naming the flag that sets the value (or, for a setting
/// with no flag, the option) and the value it got: <c>--workers must be a whole number from 1 to 64, not '0'</c>.
/// </summary>
internal static class OptionChecks
{
    public static void WholeNumber(this ValidateOptionsResultBuilder problems, string flag, int value, int min, int max)
    {
        if (value < min || value > max) problems.AddError($"{flag} must be a whole number from {min} to {max}, not '{value.ToString(CultureInfo.InvariantCulture)}'");
    }

    public static void Port(this ValidateOptionsResultBuilder problems, string flag, int value) => problems.WholeNumber(flag, value, 0, 65535);

    /// <summary>At least <paramref name="least"/> (default: more than zero).</summary>
    public static void Positive(this ValidateOptionsResultBuilder problems, string flag, TimeSpan value, TimeSpan? least = null, string? why = null)
    {
        if (least is { } min ? value < min : value <= TimeSpan.Zero)
        {
            var bound = least is { } m ? $"of at least {Go(m)}" : "above 0s";
            problems.AddError($"{flag} must be a duration {bound}{(why is null ? "" : $" ({why})")}, not '{Go(value)}'");
        }
    }

    public static void NotNegative(this ValidateOptionsResultBuilder problems, string flag, TimeSpan value)
    {
        if (value < TimeSpan.Zero) problems.AddError($"{flag} must be a duration of 0s or more, not '{Go(value)}'");
    }

    /// <summary>A namespace or Service name: an RFC 1123 label of at most 63 characters.</summary>
    public static void DnsLabel(this ValidateOptionsResultBuilder problems, string flag, string? value)
    {
        if (value is not { Length: > 0 and <= 63 } || !SemanticChecks.DnsLabel().IsMatch(value))
        {
            problems.AddError($"{flag} must be a DNS label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), not '{value}'");
        }
    }

    /// <summary>An object name such as a Lease's, a Secret's or a webhook configuration's: an RFC 1123 subdomain of at most 253 characters.</summary>
    public static void DnsSubdomain(this ValidateOptionsResultBuilder problems, string flag, string? value)
    {
        if (value is not { Length: > 0 and <= 253 } || !SemanticChecks.DnsSubdomain().IsMatch(value))
        {
            problems.AddError($"{flag} must be a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253), not '{value}'");
        }
    }

    public static void NotEmpty(this ValidateOptionsResultBuilder problems, string flag, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) problems.AddError($"{flag} must not be empty");
    }

    /// <summary>A duration as the flags take it (Go's syntax): <c>1h30m</c>, <c>15s</c>, <c>500ms</c>, <c>-1s</c>.</summary>
    public static string Go(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        if (value < TimeSpan.Zero) return "-" + Go(value.Negate());
        var text = "";
        if (value.TotalHours >= 1) text += $"{(long)value.TotalHours}h";
        if (value.Minutes > 0) text += $"{value.Minutes}m";
        var seconds = value - TimeSpan.FromMinutes(Math.Floor(value.TotalMinutes));
        if (seconds == TimeSpan.Zero) return text;
        if (seconds.Ticks % TimeSpan.TicksPerSecond == 0) return text + $"{seconds.Seconds}s";
        if (text.Length == 0 && seconds < TimeSpan.FromSeconds(1)) return $"{seconds.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        return text + $"{seconds.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
    }
}
