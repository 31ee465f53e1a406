namespace EksHardening.Operator.Admission;

/// <summary>
/// What the webhook answered, as instruments of the <see cref="MeterName"/> meter: AdmissionReviews by operation, kind and decision, the time
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

    public const string MeterName = "EksHardening.Admission";

    /// <summary>From half a millisecond (a cached decision) to the API server's 5 s timeout.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rejected;

    public AdmissionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("eks_hardening_admission_requests_total",
            description: "AdmissionReviews answered, by operation, kind and decision (allowed, denied, warned, error).");
        _duration = meter.CreateHistogram("eks_hardening_admission_duration_seconds", unit: null,
            description: "Time from receiving an AdmissionReview to its decision.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _rejected = meter.CreateCounter<long>("eks_hardening_admission_rejected_total",
            description: "Webhook requests refused before a decision (not a readable AdmissionReview), by HTTP status code.");
    }

    internal void Answered(AdmissionRequest request, string decision, TimeSpan elapsed)
    {
        var kind = AdmittedKinds.Find(request.Kind, request.SubResource)?.Kind ?? "other";
        _requests.Add(1, new KeyValuePair<string, object?>("operation", OperationName(request.Operation)), new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("decision", decision));
        _duration.Record(elapsed.TotalSeconds);
    }

    internal void Refused(int status) => _rejected.Add(1, new KeyValuePair<string, object?>("code", status.ToString(CultureInfo.InvariantCulture)));

    private static string OperationName(AdmissionOperation operation) => operation switch
    {
        AdmissionOperation.Create => "CREATE",
        AdmissionOperation.Update => "UPDATE",
        AdmissionOperation.Delete => "DELETE",
        AdmissionOperation.Connect => "CONNECT",
        _ => "other",
    };
}
