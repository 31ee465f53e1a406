namespace EksHardening.Operator.Tests.Reporting;

public class ScanReportWritersTests
{
    [Theory]
    [InlineData("table", typeof(TableReportWriter))]
    [InlineData("json", typeof(JsonReportWriter))]
    [InlineData("sarif", typeof(SarifReportWriter))]
    [InlineData("SARIF", typeof(SarifReportWriter))]
    public void Known_formats_have_a_writer(string format, Type expected) =>
        Assert.IsType(expected, ScanReportWriters.For(format));

    [Theory]
    [InlineData("xml")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_formats_have_none(string? format) => Assert.Null(ScanReportWriters.For(format));

    [Fact]
    public void Every_listed_format_has_a_writer() =>
        Assert.All(ScanReportWriters.Formats, f => Assert.NotNull(ScanReportWriters.For(f)));
}
