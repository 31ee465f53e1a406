using static EksHardening.Operator.Tests.Support.TestMeters;

namespace EksHardening.Operator.Tests.Aws;

public sealed class AwsCallCountersTests
{
    [Theory]
    [InlineData(AwsCallCounters.Success, "success")]
    [InlineData(nameof(AwsErrorKind.Throttled), "throttled")]
    [InlineData(nameof(AwsErrorKind.AccessDenied), "access_denied")]
    [InlineData(nameof(AwsErrorKind.NotFound), "not_found")]
    [InlineData(nameof(AwsErrorKind.ServerError), "server_error")]
    [InlineData(nameof(AwsErrorKind.Timeout), "timeout")]
    [InlineData(nameof(AwsErrorKind.Invalid), "invalid")]
    [InlineData(nameof(AwsErrorKind.Unknown), "error")]
    public void Aws_outcomes_are_snake_case_labels(string outcome, string label) =>
        Assert.Equal(label, AwsCallCounters.OutcomeLabel(outcome));

    [Fact]
    public void Calls_and_retries_are_measured_by_service_operation_and_outcome()
    {
        var meters = TestMeters.Create();
        using var calls = new MetricCollector<long>(meters, AwsCallCounters.MeterName, "eks_hardening_aws_calls_total");
        using var retries = new MetricCollector<long>(meters, AwsCallCounters.MeterName, "eks_hardening_aws_retries_total");
        var counters = new AwsCallCounters(meters);

        counters.RecordRetry("ecr", "DescribeImages", AwsErrorKind.Throttled);
        counters.RecordSuccess("ecr", "DescribeImages");
        counters.RecordFailure("iam", "GetRole", AwsErrorKind.AccessDenied);
        counters.RecordFailure("iam", "GetRole", AwsErrorKind.AccessDenied);

        long Calls(string service, string operation, string outcome) =>
            calls.GetMeasurementSnapshot().Where(m => m.MatchesTags(Tag("service", service), Tag("operation", operation), Tag("outcome", outcome))).Sum(m => m.Value);
        Assert.Equal(1, Calls("ecr", "DescribeImages", "success"));
        Assert.Equal(2, Calls("iam", "GetRole", "access_denied"));
        Assert.Equal(3, calls.GetMeasurementSnapshot().EvaluateAsCounter());
        var retry = Assert.Single(retries.GetMeasurementSnapshot());
        Assert.True(retry.MatchesTags(Tag("service", "ecr"), Tag("operation", "DescribeImages"), Tag("reason", "throttled")));
        // The counts the clients' callers read agree with what was measured.
        Assert.Equal(2, counters.Count("iam", "GetRole", nameof(AwsErrorKind.AccessDenied)));
        Assert.Equal(1, counters.Count("ecr", "DescribeImages", AwsCallCounters.Retry));
    }

    [Fact]
    public void Without_a_meter_factory_calls_are_counted_but_not_measured()
    {
        var meters = TestMeters.Create();
        using var calls = new MetricCollector<long>(meters, AwsCallCounters.MeterName, "eks_hardening_aws_calls_total");
        var counters = new AwsCallCounters();
        counters.RecordSuccess("eks", "DescribeCluster");
        Assert.Equal(1, counters.Count("eks", "DescribeCluster", AwsCallCounters.Success));
        Assert.Empty(calls.GetMeasurementSnapshot());
    }
}
