using AwsServiceException = EksHardening.Operator.Aws.AwsServiceException;
using StubAdvancedSelector = EksHardening.AwsStub.CloudTrail.CloudTrailAdvancedEventSelector;
using StubDetector = EksHardening.AwsStub.GuardDuty.GuardDutyDetector;
using StubEventSelector = EksHardening.AwsStub.CloudTrail.CloudTrailEventSelector;
using StubFeature = EksHardening.AwsStub.GuardDuty.GuardDutyFeature;
using StubFieldSelector = EksHardening.AwsStub.CloudTrail.CloudTrailFieldSelector;
using StubTrail = EksHardening.AwsStub.CloudTrail.CloudTrailTrail;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>The GuardDuty and CloudTrail clients against the stub: wire formats, pagination, regions and error mapping.</summary>
public sealed class DetectionClientConformanceTests : IAsyncLifetime
{
    private const string OtherRegion = "us-east-1";
    private AwsEndpointStub _aws = null!;
    private AwsClients _clients = null!;

    public async Task InitializeAsync()
    {
        var options = new AwsStubOptions();
        options.AdditionalRegions.Add(OtherRegion);
        _aws = await AwsEndpointStub.StartNewAsync(options);
        var env = _aws.EnvironmentVariables();
        _clients = new AwsClients(
            new AwsClientOptions { Region = _aws.Region, Environment = k => env.GetValueOrDefault(k), Retry = new AwsRetryOptions { Random = () => 0 } },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(_aws.Credentials.AccessKeyId, _aws.Credentials.SecretAccessKey, null, null)));
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _aws.DisposeAsync();
    }

    [Fact]
    public async Task GuardDuty_lists_every_page_of_detectors_and_reads_each_feature()
    {
        var detectors = Enumerable.Range(0, 120).Select(_ => _aws.GuardDuty.AddDetector(new StubDetector())).ToList();
        var rich = _aws.GuardDuty.AddDetector(new StubDetector
        {
            Status = "ENABLED",
            Features =
            [
                new StubFeature("EKS_AUDIT_LOGS"),
                new StubFeature("RUNTIME_MONITORING", "ENABLED", new Dictionary<string, string> { ["EKS_ADDON_MANAGEMENT"] = "ENABLED", ["EC2_AGENT_MANAGEMENT"] = "DISABLED" }),
                new StubFeature("EKS_RUNTIME_MONITORING", "DISABLED"),
            ],
        });
        var elsewhere = _aws.GuardDuty.AddDetector(new StubDetector { Region = OtherRegion, Status = "DISABLED" });

        var ids = await _clients.GuardDuty.ListDetectorsAsync(_aws.Region);
        Assert.Equal(detectors.Select(d => d.DetectorId!).Append(rich.DetectorId!).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.Equal(3, _aws.CountRequests("guardduty", "ListDetectors"));
        Assert.Equal([elsewhere.DetectorId!], await _clients.GuardDuty.ListDetectorsAsync(OtherRegion));

        var detector = await _clients.GuardDuty.GetDetectorAsync(_aws.Region, rich.DetectorId!);
        Assert.Equal((rich.DetectorId, "ENABLED"), (detector.DetectorId, detector.Status));
        Assert.Equal(["EKS_AUDIT_LOGS:ENABLED", "RUNTIME_MONITORING:ENABLED", "EKS_RUNTIME_MONITORING:DISABLED"], detector.Features.Select(f => $"{f.Name}:{f.Status}"));
        Assert.Equal(new Dictionary<string, string?> { ["EKS_ADDON_MANAGEMENT"] = "ENABLED", ["EC2_AGENT_MANAGEMENT"] = "DISABLED" }, detector.Features[1].AdditionalConfiguration);
        Assert.Equal("DISABLED", (await _clients.GuardDuty.GetDetectorAsync(OtherRegion, elsewhere.DetectorId!)).Status);
        Assert.Equal(2, _clients.Counters.Count("guardduty", "GetDetector", AwsCallCounters.Success));
    }

    [Fact]
    public async Task A_detector_of_another_region_is_GuardDutys_bad_request()
    {
        var elsewhere = _aws.GuardDuty.AddDetector(new StubDetector { Region = OtherRegion });

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.GuardDuty.GetDetectorAsync(_aws.Region, elsewhere.DetectorId!));

        Assert.Equal(("BadRequestException", AwsErrorKind.Invalid, HttpStatusCode.BadRequest), (error.ErrorCode, error.Kind, error.StatusCode));
        Assert.Contains("not owned by the current account", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _clients.Counters.Count("guardduty", "GetDetector", nameof(AwsErrorKind.Invalid)));
    }

    [Fact]
    public async Task CloudTrail_reads_trails_with_shadows_status_and_both_kinds_of_selectors()
    {
        var regional = _aws.CloudTrail.AddTrail(new StubTrail { Name = "regional", IsLogging = false, EventSelectors = [new StubEventSelector("ReadOnly", false, ["kms.amazonaws.com"])] });
        var global = _aws.CloudTrail.AddTrail(new StubTrail
        {
            Name = "global",
            HomeRegion = OtherRegion,
            IsMultiRegionTrail = true,
            AdvancedEventSelectors =
            [
                new StubAdvancedSelector("Management events", [
                    new StubFieldSelector("eventCategory") { EqualsValues = ["Management"] },
                    new StubFieldSelector("eventSource") { NotEqualsValues = ["kms.amazonaws.com"], NotStartsWith = ["rds"], NotEndsWith = [".x"], StartsWith = ["e"], EndsWith = [".com"] },
                ]),
            ],
        });
        _aws.CloudTrail.AddTrail(new StubTrail { Name = "not-here", HomeRegion = OtherRegion });

        var trails = await _clients.CloudTrail.DescribeTrailsAsync(_aws.Region);
        Assert.Equal(
            [new CloudTrailTrail("global", global.Arn!, OtherRegion, true, false), new CloudTrailTrail("regional", regional.Arn!, _aws.Region, false, false)],
            trails.OrderBy(t => t.Name, StringComparer.Ordinal));

        Assert.False(await _clients.CloudTrail.GetTrailIsLoggingAsync(_aws.Region, regional.Arn!));
        Assert.True(await _clients.CloudTrail.GetTrailIsLoggingAsync(OtherRegion, global.Arn!));

        var basic = await _clients.CloudTrail.GetEventSelectorsAsync(_aws.Region, regional.Arn!);
        var selector = Assert.Single(basic.EventSelectors);
        Assert.Equal(("ReadOnly", false, "kms.amazonaws.com"), (selector.ReadWriteType, selector.IncludeManagementEvents, Assert.Single(selector.ExcludeManagementEventSources)));
        Assert.Empty(basic.AdvancedEventSelectors);

        var advanced = await _clients.CloudTrail.GetEventSelectorsAsync(OtherRegion, global.Arn!);
        Assert.Empty(advanced.EventSelectors);
        var fields = Assert.Single(advanced.AdvancedEventSelectors);
        Assert.Equal(["eventCategory", "eventSource"], fields.Select(f => f.Field));
        Assert.Equal(["Management"], fields[0].EqualsValues);
        Assert.Equal(["kms.amazonaws.com"], fields[1].NotEqualsValues);
        Assert.Equal(["rds"], fields[1].NotStartsWith);
        Assert.Equal([".x"], fields[1].NotEndsWith);
        Assert.Equal(["e"], fields[1].StartsWith);
        Assert.Equal([".com"], fields[1].EndsWith);
        Assert.Empty(fields[1].EqualsValues);
    }

    [Fact]
    public async Task An_unknown_trail_or_one_asked_outside_where_it_is_shown_is_not_found()
    {
        var regional = _aws.CloudTrail.AddTrail(new StubTrail { Name = "regional", HomeRegion = OtherRegion });

        foreach (var arn in new[] { regional.Arn!, $"arn:aws:cloudtrail:{_aws.Region}:{_aws.AccountId}:trail/nope" })
        {
            var error = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.CloudTrail.GetTrailIsLoggingAsync(_aws.Region, arn));
            Assert.Equal(("TrailNotFoundException", AwsErrorKind.NotFound), (error.ErrorCode, error.Kind));
            error = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.CloudTrail.GetEventSelectorsAsync(_aws.Region, arn));
            Assert.Equal(AwsErrorKind.NotFound, error.Kind);
        }
    }

    [Theory]
    [InlineData("guardduty")]
    [InlineData("cloudtrail")]
    public async Task Errors_map_to_their_kinds_and_throttling_is_retried(string service)
    {
        var detector = _aws.GuardDuty.AddDetector(new StubDetector());
        var trail = _aws.CloudTrail.AddTrail(new StubTrail { Name = "t" });
        Task Call() => service == "guardduty"
            ? _clients.GuardDuty.GetDetectorAsync(_aws.Region, detector.DetectorId!)
            : _clients.CloudTrail.GetTrailIsLoggingAsync(_aws.Region, trail.Arn!);
        var operation = service == "guardduty" ? "GetDetector" : "GetTrailStatus";

        var denied = _aws.Faults.DenyAccess(service);
        Assert.Equal(AwsErrorKind.AccessDenied, (await Assert.ThrowsAsync<AwsServiceException>(Call)).Kind);
        _aws.Faults.Remove(denied);

        var once = _aws.Faults.Throttle(service, times: 1);
        await Call();
        Assert.Equal(1, once.Hits);
        Assert.Equal(1, _clients.Counters.Count(service, operation, AwsCallCounters.Retry));
        _aws.Faults.Remove(once);

        var malformed = _aws.Faults.MalformResponses(service);
        var error = await Assert.ThrowsAsync<AwsServiceException>(Call);
        Assert.Equal(("MalformedResponse", AwsErrorKind.Unknown), (error.ErrorCode, error.Kind));
        _aws.Faults.Remove(malformed);

        _aws.Faults.Throttle(service);
        Assert.Equal(AwsErrorKind.Throttled, (await Assert.ThrowsAsync<AwsServiceException>(Call)).Kind);
        Assert.Equal(1, _clients.Counters.Count(service, operation, nameof(AwsErrorKind.Throttled)));
    }
}
