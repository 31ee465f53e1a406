namespace EksHardening.Operator.Tests.Policies;

public class DurationParserTests
{
    [Theory]
    [InlineData("168h", 168 * 3600.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("10m", 600.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("1.5h", 5400.0)]
    [InlineData(".5s", 0.5)]
    [InlineData("1.s", 1.0)]
    [InlineData("2h45m30.5s", 9930.5)]
    [InlineData("1us", 0.000001)]
    [InlineData("1µs", 0.000001)]
    [InlineData("1000ns", 0.000001)]
    [InlineData("+5s", 5.0)]
    [InlineData("-1h", -3600.0)]
    [InlineData("0", 0.0)]
    [InlineData("-0", 0.0)]
    [InlineData("0s", 0.0)]
    [InlineData("2562047h", 2562047 * 3600.0)]
    public void Parses_go_durations(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(seconds, value.TotalSeconds, 6);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("h")]
    [InlineData(".")]
    [InlineData(".h")]
    [InlineData("1d")]
    [InlineData("1 h")]
    [InlineData("1h ")]
    [InlineData("1H")]
    [InlineData("-")]
    [InlineData("2562048h")]
    [InlineData("9999999999h")]
    [InlineData("99999999999999999999ns")]
    public void Rejects_what_go_rejects(string? text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }
}
