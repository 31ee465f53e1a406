using System.Globalization;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Admission;

/// <summary>
/// What the webhook answered, for the metrics endpoint: AdmissionReviews by operation, kind and decision, the time
/// each took, and requests refused before a decision. Kinds the webhook does not judge share the kind <c>other</c>,
/// so a caller cannot grow the series without bound.
/// </summary>
public sealed class AdmissionMetrics
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Warned = "warned";
    /// <summary>The decision timed out or threw and the failure policy answered.</summary>
    public const string Error = "error";

    /// <summary>From half a millisecond (a cached decision) to the API server's 5 s timeout.</summary>
    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    public CounterFamily Requests { get; } = new("eks_hardening_admission_requests_total",
        "AdmissionReviews answered, by operation, kind and decision (allowed, denied, warned, error).", "operation", "kind", "decision");

    public HistogramFamily Duration { get; } = new("eks_hardening_admission_duration_seconds",
        "Time from receiving an AdmissionReview to its decision.", DurationBuckets);

    public CounterFamily Rejected { get; } = new("eks_hardening_admission_rejected_total",
        "Webhook requests refused before a decision (not a readable AdmissionReview), by HTTP status code.", "code");

    public IEnumerable<IMetricFamily> Families => [Requests, Duration, Rejected];

    internal void Answered(AdmissionRequest request, string decision, TimeSpan elapsed)
    {
        var kind = AdmittedKinds.Find(request.Kind, request.SubResource)?.Kind ?? "other";
        Requests.WithLabels(OperationName(request.Operation), kind, decision).Inc();
        Duration.WithLabels().Observe(elapsed);
    }

    internal void Refused(int status) => Rejected.WithLabels(status.ToString(CultureInfo.InvariantCulture)).Inc();

    private static string OperationName(AdmissionOperation operation) => operation switch
    {
        AdmissionOperation.Create => "CREATE",
        AdmissionOperation.Update => "UPDATE",
        AdmissionOperation.Delete => "DELETE",
        AdmissionOperation.Connect => "CONNECT",
        _ => "other",
    };
}
