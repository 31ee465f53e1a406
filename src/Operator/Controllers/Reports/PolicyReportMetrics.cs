using k8s.Autorest;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// Report writes by operation and failed report requests, as instruments of the controllers' meter (served from the
/// start at zero); a failure is logged once per resource, verb and code as a warning, then at debug level.
/// </summary>
public sealed partial class PolicyReportMetrics
{
    private readonly Counter<long> _writes;
    private readonly Counter<long> _failures;
    private readonly ConcurrentDictionary<string, byte> _loggedFailures = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public PolicyReportMetrics(IMeterFactory meters, ILogger<PolicyReportMetrics> logger)
    {
        _logger = logger;
        var meter = meters.Create(PolicyMetrics.MeterName);
        _writes = meter.CreateCounter<long>("eks_hardening_policy_report_writes_total",
            description: "PolicyReport and ClusterPolicyReport writes, by operation (create, patch, delete).");
        _failures = meter.CreateCounter<long>("eks_hardening_policy_report_failures_total",
            description: "PolicyReport requests that failed (the policy's status is unaffected).");
        foreach (var operation in new[] { "create", "patch", "delete" }) _writes.Add(0, Operation(operation));
        _failures.Add(0);
    }

    public void Wrote(string operation) => _writes.Add(1, Operation(operation));

    public void Failed(string resource, string verb, Exception e)
    {
        _failures.Add(1);
        var code = e is HttpOperationException http ? ((int)http.Response.StatusCode).ToString(CultureInfo.InvariantCulture) : e.GetType().Name;
        if (_loggedFailures.TryAdd($"{resource}|{verb}|{code}", 0)) LogWriteFailed(_logger, verb, resource, code, e.Message);
        else LogWriteFailedAgain(_logger, verb, resource, code);
    }

    private static KeyValuePair<string, object?> Operation(string name) => new("operation", name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PolicyReport writing: {Verb} {Resource} failed ({Code}): {Error}; status is unaffected, further failures of this kind are logged at debug level")]
    private static partial void LogWriteFailed(ILogger logger, string verb, string resource, string code, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "PolicyReport writing: {Verb} {Resource} failed again ({Code})")]
    private static partial void LogWriteFailedAgain(ILogger logger, string verb, string resource, string code);
}
