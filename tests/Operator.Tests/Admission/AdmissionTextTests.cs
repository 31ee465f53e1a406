namespace EksHardening.Operator.Tests.Admission;

public class AdmissionTextTests
{
    [Theory]
    [InlineData("plain text", 100, "plain text")]
    [InlineData("tab\there\r\nnew line", 100, "tab?here??new line")]
    [InlineData("rtl \u202e override and zero\u200bwidth", 100, "rtl ? override and zero?width")]
    [InlineData("abcdefghij", 5, "abcd…")]
    [InlineData("abcde", 5, "abcde")]
    [InlineData("", 5, "")]
    [InlineData("emoji 😀 stays", 100, "emoji 😀 stays")]
    public void Clean_replaces_unsafe_characters_and_cuts_with_an_ellipsis(string input, int max, string expected) =>
        Assert.Equal(expected, AdmissionText.Clean(input, max));

    [Fact]
    public void Clean_replaces_a_lone_surrogate() => Assert.Equal("lone ? surrogate", AdmissionText.Clean("lone \ud800 surrogate", 100));

    [Fact]
    public void Clean_never_splits_a_surrogate_pair()
    {
        var cut = AdmissionText.Clean("ab😀😀😀", 4);
        Assert.Equal("ab…", cut);
        Assert.True(cut.Length <= 4);
    }
}
