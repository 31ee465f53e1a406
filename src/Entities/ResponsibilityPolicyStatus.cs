namespace EksHardening.Entities;

/// <summary>What the operator last observed: "are we doing our part?".</summary>
public sealed class ResponsibilityPolicyStatus
{
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    [JsonPropertyName("lastEvaluated")] public DateTimeOffset? LastEvaluated { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    [JsonPropertyName("summary")] public ComplianceSummary? Summary { get; set; }
    [JsonPropertyName("responsibilities")] public List<ResponsibilityRowStatus>? Responsibilities { get; set; }
    [JsonPropertyName("totalViolations")] public int? TotalViolations { get; set; }
    [JsonPropertyName("violations")] public List<ViolationRecord>? Violations { get; set; }
    [JsonPropertyName("clusterFindings")] public List<ClusterFindingRecord>? ClusterFindings { get; set; }
    [JsonPropertyName("expiredExemptions")] public List<string>? ExpiredExemptions { get; set; }
    [JsonPropertyName("remediations")] public List<RemediationRecord>? Remediations { get; set; }
}

/// <summary>Resource counts by verdict.</summary>
public sealed record ComplianceSummary
{
    [JsonPropertyName("resources")] public int Resources { get; set; }
    [JsonPropertyName("compliant")] public int Compliant { get; set; }
    [JsonPropertyName("violating")] public int Violating { get; set; }
    [JsonPropertyName("exempt")] public int Exempt { get; set; }
    [JsonPropertyName("errors")] public int Errors { get; set; }
}

/// <summary>Pass/fail counts for one responsibility row.</summary>
public sealed record ResponsibilityRowStatus
{
    [JsonPropertyName("row")] public ResponsibilityRow Row { get; set; }
    [JsonPropertyName("passed")] public int Passed { get; set; }
    [JsonPropertyName("failed")] public int Failed { get; set; }
}

/// <summary>One failed rule on one resource, as kept in status.</summary>
public sealed record ViolationRecord
{
    [JsonPropertyName("rule")] public string Rule { get; set; } = "";
    [JsonPropertyName("severity")] public Severity Severity { get; set; }
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>A cluster-level (control-plane) rule result.</summary>
public sealed record ClusterFindingRecord
{
    [JsonPropertyName("rule")] public string Rule { get; set; } = "";
    [JsonPropertyName("result")] public FindingResult Result { get; set; }
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>One remediation Enforce mode made, would make (dryRun), or may not make.</summary>
public sealed record RemediationRecord
{
    [JsonPropertyName("action")] public RemediationAction Action { get; set; }
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("state")] public RemediationState State { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}
