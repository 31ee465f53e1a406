using EksHardening.Operator.Aws;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Tests.Reporting;

public sealed class OperatorMetricsTests
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
        Assert.Equal(label, OperatorMetrics.AwsOutcome(outcome));
}
