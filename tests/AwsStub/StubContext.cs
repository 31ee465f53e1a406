namespace EksHardening.AwsStub;

/// <summary>What every service of one stub shares: account, region, clock, id generation and the accepted keys.</summary>
internal sealed class StubContext(AwsStubOptions options)
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly Lock _gate = new();
    private readonly Random _random = new(options.RandomSeed);

    public string AccountId { get; } = options.AccountId;

    public string Region { get; } = options.Region;

    public TimeProvider Time { get; } = options.TimeProvider;

    public CredentialStore Credentials { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Upper-case base32 ids as IAM uses them after a prefix: <c>AROA…</c>, <c>ANPA…</c>, <c>ASIA…</c>.</summary>
    public string UpperId(string prefix, int length = 17) => prefix + Pick(Upper, length);

    public string LowerId(string prefix, int length) => prefix + Pick(Lower, length);

    public string Secret(int length = 40) => Pick(Mixed, length);

    public Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_gate)
        {
            _random.NextBytes(bytes);
        }

        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private string Pick(string alphabet, int length)
    {
        Span<char> chars = stackalloc char[length];
        lock (_gate)
        {
            for (var i = 0; i < length; i++)
            {
                chars[i] = alphabet[_random.Next(alphabet.Length)];
            }
        }

        return new string(chars);
    }
}
