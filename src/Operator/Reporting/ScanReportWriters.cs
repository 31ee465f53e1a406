namespace EksHardening.Operator.Reporting;

/// <summary>The output formats of <c>eks-hardening scan</c>, by the name given on the command line.</summary>
public static class ScanReportWriters
{
    /// <summary>Accepted names, the default first.</summary>
    public static readonly IReadOnlyList<string> Formats = ["table", "json", "sarif"];

    /// <summary>The writer for a format name (case-insensitive), or null when the name is not one of <see cref="Formats"/>.</summary>
    public static IScanReportWriter? For(string? format) => format?.ToLowerInvariant() switch
    {
        "table" => new TableReportWriter(),
        "json" => new JsonReportWriter(),
        "sarif" => new SarifReportWriter(Directory.GetCurrentDirectory()),
        _ => null,
    };
}
