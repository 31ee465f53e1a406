namespace EksHardening.Operator.Reporting;

/// <summary>The output formats of <c>eks-hardening scan</c>, by the name given on the command line.</summary>
public static class ScanReportWriters
{
    /// <summary>Accepted names, the default first.</summary>
    public static readonly IReadOnlyList<string> Formats = ["table", "json", "sarif", "junit"];

    /// <summary>The writer for a format name (case-insensitive), or null when the name is not one of <see cref="Formats"/>.</summary>
    /// <param name="colour">The table's severity and result columns in colour (for a terminal); the other formats have none.</param>
    public static IScanReportWriter? For(string? format, bool colour = false) => format?.ToLowerInvariant() switch
    {
        "table" => new TableReportWriter(colour: colour),
        "json" => new JsonReportWriter(),
        "sarif" => new SarifReportWriter(Directory.GetCurrentDirectory()),
        "junit" => new JunitReportWriter(),
        _ => null,
    };
}
