namespace EksHardening.Operator.Tests.Aws;

/// <summary>The collector's per-service concurrency limit and its own rounds for a call still throttled after the client's retries.</summary>
public sealed class AwsFactCollectorLimitTests : IDisposable
{
    private readonly TimerCountingTimeProvider _time = new(AwsTest.Now);
    private readonly AwsHttpClient _http = AwsTest.Http(new FakeAwsHandler());
    private readonly KmsClient _kms = new(new StaticAwsCredentialsSource(AwsTest.Credentials), handler: new FakeAwsHandler());

    public void Dispose()
    {
        _http.Dispose();
        _kms.Dispose();
    }

    private AwsFactCollector Collector(AwsFactCollectorOptions options) =>
        new(new EcrClient(_http), new EksClient(_http), new IamClient(_http), _kms, NotAsked.Instance, NotAsked.Instance, NotAsked.Instance, NotAsked.Instance, _time, options);

    /// <summary>The services these tests' policies never need: asking one is a test failure.</summary>
    private sealed class NotAsked : IGuardDutyClient, ICloudTrailClient, IEc2Client, ISsmClient
    {
        public static readonly NotAsked Instance = new();

        private static Task<T> Fail<T>() => throw new InvalidOperationException("this service is not asked by these policies");

        public Task<IReadOnlyList<string>> ListDetectorsAsync(string region, CancellationToken cancellationToken = default) => Fail<IReadOnlyList<string>>();
        public Task<GuardDutyDetector> GetDetectorAsync(string region, string detectorId, CancellationToken cancellationToken = default) => Fail<GuardDutyDetector>();
        public Task<IReadOnlyList<CloudTrailTrail>> DescribeTrailsAsync(string region, CancellationToken cancellationToken = default) => Fail<IReadOnlyList<CloudTrailTrail>>();
        public Task<bool> GetTrailIsLoggingAsync(string region, string trailArn, CancellationToken cancellationToken = default) => Fail<bool>();
        public Task<CloudTrailEventSelectors> GetEventSelectorsAsync(string region, string trailArn, CancellationToken cancellationToken = default) => Fail<CloudTrailEventSelectors>();
        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(string region, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default) => Fail<IReadOnlyList<Ec2Instance>>();
        public Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string region, IReadOnlyList<string> imageIds, CancellationToken cancellationToken = default) => Fail<IReadOnlyList<Ec2Image>>();
        public Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(string region, IReadOnlyList<string> groupIds, CancellationToken cancellationToken = default) => Fail<IReadOnlyList<Ec2SecurityGroup>>();
        public Task<bool> GetEbsEncryptionByDefaultAsync(string region, CancellationToken cancellationToken = default) => Fail<bool>();
        public Task<string?> GetParameterAsync(string region, string name, CancellationToken cancellationToken = default) => Fail<string?>();
    }

    private static AwsServiceException Throttled() => new(AwsErrorKind.Throttled, AwsServices.Ecr, "DescribeImages", "Rate exceeded", "ThrottlingException");

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    public async Task A_call_still_throttled_gets_the_configured_extra_rounds_then_fails(int throttledRetries, int expectedCalls)
    {
        var collector = Collector(new AwsFactCollectorOptions { ThrottledRetries = throttledRetries, ThrottledBackoff = TimeSpan.FromMilliseconds(500) });
        var calls = 0;

        var call = collector.Limit<int>(AwsServices.Ecr, () =>
        {
            Interlocked.Increment(ref calls);
            throw Throttled();
        }, CancellationToken.None);
        for (var round = 1; round < expectedCalls; round++)
        {
            await Eventually.True(() => _time.TimersCreated == round, $"the wait after call {round}");
            _time.Advance(TimeSpan.FromSeconds(20));   // past any round's backoff (the cap)
        }

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => call);
        Assert.Equal(AwsErrorKind.Throttled, error.Kind);
        Assert.Equal(expectedCalls, calls);
    }

    [Fact]
    public async Task Other_errors_are_not_retried_by_the_collector()
    {
        var collector = Collector(new AwsFactCollectorOptions { ThrottledRetries = 3 });
        var calls = 0;

        await Assert.ThrowsAsync<AwsServiceException>(() => collector.Limit<int>(AwsServices.Iam, () =>
        {
            calls++;
            throw new AwsServiceException(AwsErrorKind.AccessDenied, AwsServices.Iam, "GetRole", "denied");
        }, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_between_rounds_and_nothing_is_called_again()
    {
        var collector = Collector(new AwsFactCollectorOptions { ThrottledRetries = 3 });
        using var cancel = new CancellationTokenSource();
        var calls = 0;

        var call = collector.Limit<int>(AwsServices.Ecr, () =>
        {
            Interlocked.Increment(ref calls);
            throw Throttled();
        }, cancel.Token);
        await Eventually.True(() => Volatile.Read(ref calls) == 1, "the first call");
        await cancel.CancelAsync();

        // The fake clock never moves: only the cancellation can end the wait.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.Settle();
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_for_a_busy_service_and_leaves_the_running_call_alone()
    {
        var collector = Collector(new AwsFactCollectorOptions { ConcurrencyPerService = 1 });
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var waitingCalls = 0;

        var running = collector.Limit(AwsServices.Eks, () => release.Task, CancellationToken.None);
        var waiting = collector.Limit(AwsServices.Eks, () => Task.FromResult(++waitingCalls), cancel.Token);
        await Eventually.Settle();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, waitingCalls);
        release.SetResult(42);
        Assert.Equal(42, await running);

        // The cancelled waiter took no slot: the next call runs.
        Assert.Equal(7, await collector.Limit(AwsServices.Eks, () => Task.FromResult(7), CancellationToken.None));
    }
}
