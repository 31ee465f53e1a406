namespace EksHardening.Entities;

/// <summary>The rows of the customer's side of the Shared Responsibility Model (DESIGN §2).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResponsibilityRow>))]
public enum ResponsibilityRow
{
    InfrastructureSecurity,
    IdentityManagement,
    DataEncryption,
    PatchManagement,
    NetworkSecurity,
    Monitoring,
}

/// <summary>How bad a failed rule is; ordered so that a larger value is more severe.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    [JsonStringEnumMemberName("low")] Low = 1,
    [JsonStringEnumMemberName("medium")] Medium = 2,
    [JsonStringEnumMemberName("high")] High = 3,
    [JsonStringEnumMemberName("critical")] Critical = 4,
}

/// <summary>The outcome of one rule on one resource.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingResult>))]
public enum FindingResult
{
    [JsonStringEnumMemberName("pass")] Pass,
    [JsonStringEnumMemberName("fail")] Fail,
    [JsonStringEnumMemberName("exempt")] Exempt,
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>What the operator does with a policy's findings (DESIGN §5).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PolicyMode>))]
public enum PolicyMode
{
    Audit,
    Warn,
    Enforce,
}

/// <summary>Pod Security Standards level a policy requires.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PodSecurityLevel>))]
public enum PodSecurityLevel
{
    [JsonStringEnumMemberName("baseline")] Baseline,
    [JsonStringEnumMemberName("restricted")] Restricted,
}

/// <summary>A NetworkPolicy direction.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrafficDirection>))]
public enum TrafficDirection
{
    Ingress,
    Egress,
}

/// <summary>What admission does with an image whose scan findings are not known yet.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UnknownImageAction>))]
public enum UnknownImageAction
{
    Allow,
    Deny,
}

/// <summary>What a remediation does to an object.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RemediationAction>))]
public enum RemediationAction
{
    Create,
    Delete,
    Label,
}

/// <summary>Whether a remediation was made, only planned (dryRun), or skipped as unsafe.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RemediationState>))]
public enum RemediationState
{
    Applied,
    Planned,
    Skipped,
}

/// <summary>The kinds of RBAC subject (rbac.authorization.k8s.io/v1 Subject.kind).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RbacSubjectKind>))]
public enum RbacSubjectKind
{
    User,
    Group,
    ServiceAccount,
}
