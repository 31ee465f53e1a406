namespace EksHardening.Operator.Reporting;

/// <summary>The words every output format uses for the vocabulary: lowercase severities and results, as in the CRD.</summary>
internal static class ReportTerms
{
    /// <summary>Rows in DESIGN §2 order (the enum's declaration order).</summary>
    public static readonly IReadOnlyList<ResponsibilityRow> RowOrder = Enum.GetValues<ResponsibilityRow>();

    /// <summary>Most severe first.</summary>
    public static readonly IReadOnlyList<Severity> SeverityOrder = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low];

    public static string Name(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        Severity.Low => "low",
        _ => severity.ToString().ToLowerInvariant(),
    };

    public static string Name(FindingResult result) => result switch
    {
        FindingResult.Pass => "pass",
        FindingResult.Fail => "fail",
        FindingResult.Exempt => "exempt",
        FindingResult.Error => "error",
        _ => result.ToString().ToLowerInvariant(),
    };

    /// <summary>RFC 3339 in UTC with second precision, as timestamps appear in the CRD.</summary>
    public static string Timestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Writes one JSON document to a text writer: indented, LF line ends, readable escaping, final newline.</summary>
internal static class JsonOutput
{
    // Relaxed escaping keeps quotes in messages ('x' instead of \u0027x\u0027); the output is a
    // file or a pipe, never embedded in HTML, so the HTML-safe escaping buys nothing.
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }

        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.Write('\n');
    }
}
