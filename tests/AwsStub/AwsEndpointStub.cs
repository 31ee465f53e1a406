namespace EksHardening.AwsStub;

/// <summary>
/// An in-process AWS endpoint for tests: CloudTrail, EC2, ECR, EKS, GuardDuty, IAM, KMS, Systems Manager and STS on one Kestrel port, each in its own wire
/// protocol, every request's SigV4 signature verified, with seeding, fault injection and a request log.
/// </summary>
public sealed class AwsEndpointStub : IAsyncDisposable
{
    private readonly AwsStubOptions _options;
    private readonly StubContext _context;
    private readonly RequestLog<AwsRequestRecord> _log;
    private readonly LoopbackHttpServer _server = new(maxRequestBodySize: 16 * 1024 * 1024);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private Uri? _baseUri;

    public AwsEndpointStub(AwsStubOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new AwsStubOptions();
        _context = new StubContext(_options);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AwsEndpointStub>();
        _log = new RequestLog<AwsRequestRecord>(_options.RequestLogLimit);
        Faults = new AwsFaults(_options.RandomSeed);
        Ec2 = new Ec2Stub(_context);
        Ecr = new EcrStub(_context);
        Eks = new EksStub(_context);
        Iam = new IamStub(_context);
        Kms = new KmsStub(_context);
        Ssm = new SsmStub(_context);
        Sts = new StsStub(_context, Iam);
        GuardDuty = new GuardDutyStub(_context);
        CloudTrail = new CloudTrailStub(_context);
        AddAccessKey(_options.Credentials, _options.CallerUserName);
    }

    public Ec2Stub Ec2 { get; }

    public EcrStub Ecr { get; }

    public EksStub Eks { get; }

    public IamStub Iam { get; }

    public KmsStub Kms { get; }

    public SsmStub Ssm { get; }

    public StsStub Sts { get; }

    public GuardDutyStub GuardDuty { get; }

    public CloudTrailStub CloudTrail { get; }

    /// <summary>Fault injection knobs; changeable while serving.</summary>
    public AwsFaults Faults { get; }

    public string AccountId => _context.AccountId;

    public string Region => _context.Region;

    /// <summary>The long-term test credentials (see <see cref="AwsStubOptions.Credentials"/>).</summary>
    public StubCredentials Credentials => _options.Credentials;

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>; available after <see cref="StartAsync"/>.</summary>
    public string BaseUrl => _baseUri?.GetLeftPart(UriPartial.Authority)
        ?? throw new InvalidOperationException("The stub has not been started.");

    /// <summary>A snapshot of the requests answered so far, oldest first.</summary>
    public IReadOnlyList<AwsRequestRecord> Requests => _log.Snapshot();

    /// <summary>The operations served, by service signing name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ServedOperations => ServiceOperations.Served;

    public static async Task<AwsEndpointStub> StartNewAsync(AwsStubOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var stub = new AwsEndpointStub(options, loggerFactory);
        await stub.StartAsync(cancellationToken).ConfigureAwait(false);
        return stub;
    }

    /// <summary>Starts serving and returns the base URL.</summary>
    public async Task<string> StartAsync(CancellationToken cancellationToken = default)
    {
        if (_baseUri is not null)
        {
            return BaseUrl;
        }

        var regions = new HashSet<string>(_options.AdditionalRegions, StringComparer.Ordinal) { _context.Region };
        var verifier = new SignatureVerifier(_context.Credentials, _context.Time,
            service => _options.MaxClockSkew ?? service.DefaultClockSkew, regions.Contains);
        var operations = new ServiceOperations(Ec2, Ecr, Eks, Iam, Kms, Ssm, Sts, GuardDuty, CloudTrail);
        var handler = new RequestHandler(_context, verifier, Faults, _log, operations, _logger, _stopping.Token);
        _baseUri = await _server.StartAsync(handler.HandleAsync, cancellationToken).ConfigureAwait(false);
        return BaseUrl;
    }

    /// <summary>Counts answered requests of a service, optionally of one operation and matching a predicate.</summary>
    public int CountRequests(string service, string? operation = null, Func<AwsRequestRecord, bool>? where = null) =>
        _log.Snapshot().Count(r => r.Service == service && (operation is null || r.Operation == operation) && (where is null || where(r)));

    public void ClearRequests() => _log.Clear();

    /// <summary>Accepts another long-term key pair, for a user of <paramref name="accountId"/> (default: the stub's account).</summary>
    public StubCredentials AddAccessKey(StubCredentials credentials, string userName, string? accountId = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var account = accountId ?? _context.AccountId;
        var userId = "AIDA" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credentials.AccessKeyId)))[..17];
        _context.Credentials.Add(new KnownCredential(credentials, account, $"arn:aws:iam::{account}:user/{userName}", userId));
        return credentials;
    }

    /// <summary>Stops accepting a key (long-term or temporary): requests signed with it get the unknown-key error.</summary>
    public bool RevokeAccessKey(string accessKeyId) => _context.Credentials.Remove(accessKeyId);

    /// <summary>
    /// The environment an AWS SDK (or the operator) needs to talk to this stub: endpoint, region, the test
    /// credentials, and IMDS off. With <paramref name="perService"/> the AWS_ENDPOINT_URL_&lt;SERVICE&gt; variables instead.
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables(bool perService = false)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_REGION"] = Region,
            ["AWS_DEFAULT_REGION"] = Region,
            ["AWS_ACCESS_KEY_ID"] = Credentials.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = Credentials.SecretAccessKey,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        if (perService)
        {
            foreach (var service in AwsService.All)
            {
                env[$"AWS_ENDPOINT_URL_{service.Name.ToUpperInvariant()}"] = BaseUrl;
            }
        }
        else
        {
            env["AWS_ENDPOINT_URL"] = BaseUrl;
        }

        return env;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
