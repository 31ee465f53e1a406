namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// Digests in image references: the OCI image spec 1.1 descriptor grammar and registered algorithms (descriptor.md,
/// including its example digests), intersected with distribution's reference grammar, which the kubelet applies.
/// </summary>
public class ImageDigestTests
{
    private const string Hex64 = "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
    private const string Hex128 = Hex64 + Hex64;

    [Theory]
    // descriptor.md's registered examples.
    [InlineData("sha256:" + Hex64, "registered sha256")]
    [InlineData("sha512:" + Hex128, "registered sha512")]
    [InlineData("blake3:" + Hex64, "registered blake3")]
    // Unregistered algorithms in hex, which both grammars accept.
    [InlineData("sha384:" + Hex64 + "0123456789abcdef0123456789abcdef", "unregistered algorithm sha384, accepted by the OCI generic grammar")]
    [InlineData("foo:0123456789abcdef0123456789abcdef", "unregistered algorithm foo, accepted by the OCI generic grammar")]
    [InlineData("sha256+hex:" + Hex64, "unregistered algorithm sha256+hex, accepted by the OCI generic grammar")]
    [InlineData("a.b_c-d+e:0123456789ABCDEF0123456789abcdef", "unregistered algorithm a.b_c-d+e, accepted by the OCI generic grammar")]
    public void Pins_and_says_which_kind(string digest, string kind)
    {
        var image = ImageReference.TryParse("registry.example.com/app@" + digest, out var problem);
        Assert.Null(problem);
        Assert.Equal(digest, image!.Digest);
        Assert.Equal(kind, image.ParsedDigest!.Kind);
        Assert.Equal(kind.StartsWith("registered", StringComparison.Ordinal), image.ParsedDigest.IsRegistered);
    }

    [Theory]
    // A registered algorithm with the wrong encoding (the OCI spec: "MUST match"; the kubelet's go-digest agrees).
    [InlineData("sha256:" + "6C3C624B58DBBCD3C0DD82B4C53F04194D1247C6EEBDAAB7C610CF7D66709B3B", "a sha256 digest is lowercase hex")]
    [InlineData("sha256:" + Hex64 + "0", "a sha256 digest is 64 lowercase hex characters, not 65")]
    [InlineData("sha256:" + "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3", "not 63")]
    [InlineData("sha512:" + Hex64, "a sha512 digest is 128 lowercase hex characters, not 64")]
    [InlineData("blake3:" + Hex128, "a blake3 digest is 64 lowercase hex characters, not 128")]
    [InlineData("blake3:" + "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3B", "a blake3 digest is lowercase hex")]
    [InlineData("sha384:" + Hex64, "a sha384 digest is 96 lowercase hex characters, not 64")]
    // OCI-valid but not in a reference: distribution's grammar wants hex of at least 32 characters...
    [InlineData("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "not hexadecimal")]
    [InlineData("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "not hexadecimal")]
    [InlineData("foo:0123456789abcdef0123456789abcde", "31 hex characters, fewer than 32")]
    // ...and algorithm parts that start with a letter.
    [InlineData("1foo:0123456789abcdef0123456789abcdef", "digest algorithm '1foo' is invalid")]
    [InlineData("foo+2:0123456789abcdef0123456789abcdef", "digest algorithm 'foo+2' is invalid")]
    // distribution-valid but not OCI (and go-digest refuses it): an uppercase algorithm.
    [InlineData("SHA256:" + Hex64, "digest algorithm 'SHA256' must be lowercase")]
    [InlineData("foo..bar:0123456789abcdef0123456789abcdef", "digest algorithm 'foo..bar' is invalid")]
    [InlineData(":" + Hex64, "no algorithm")]
    [InlineData("sha256:", "0 hex characters")]
    [InlineData("latest", "'latest' after '@' is not a digest")]
    public void Refuses_malformed_digests_with_the_reason(string digest, string reason)
    {
        Assert.Null(ImageReference.TryParse("registry.example.com/app@" + digest, out var problem));
        Assert.Contains(reason, problem);
    }
}
