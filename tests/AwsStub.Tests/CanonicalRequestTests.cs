namespace EksHardening.AwsStub.Tests;

/// <summary>The verifier's SigV4 pieces against AWS's published Signature Version 4 test suite.</summary>
public class CanonicalRequestTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Theory]
    [InlineData("", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    public void The_published_get_vanilla_vectors_sign_alike(string query, string signature)
    {
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };
        var canonical = CanonicalRequest.Build("GET", "/", query, h => headers.GetValueOrDefault(h), ["host", "x-amz-date"],
            CanonicalRequest.PayloadHash([]), presigned: false);
        var stringToSign = CanonicalRequest.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical);
        Assert.Equal(signature, CanonicalRequest.Signature(Secret, "20150830", "us-east-1", "service", stringToSign));
    }

    [Fact]
    public void The_canonical_request_sorts_and_reencodes_the_query_and_double_encodes_the_path()
    {
        var canonical = CanonicalRequest.Build("get", "/clusters/a%20b/x", "b=2%203&a=x%2Fy&a=1&flag", _ => "h", ["host"], "hash", presigned: false);
        Assert.Equal("GET\n/clusters/a%2520b/x\na=1&a=x%2Fy&b=2%203&flag=\nhost:h\n\nhost\nhash", canonical);
    }

    [Theory]
    [InlineData("  a   b  ", "a b")]
    [InlineData("x", "x")]
    [InlineData("a\t\tb", "a b")]
    public void Header_values_are_trimmed_and_space_runs_collapse(string value, string expected) =>
        Assert.Equal(expected, CanonicalRequest.CanonicalHeaderValue(value));

    [Fact]
    public void Dot_segments_are_removed_from_the_path() =>
        Assert.StartsWith("GET\n/b/c\n", CanonicalRequest.Build("GET", "/a/../b/./c", "", _ => "", [], "h", presigned: false), StringComparison.Ordinal);
}
