namespace EksHardening.Entities;

/// <summary>
/// The Kubernetes Policy working group's report (<c>wgpolicyk8s.io/v1alpha2</c>), namespaced: results for the
/// resources of one namespace. Policy Reporter and other UIs read it; the CRD is not ours and may be absent.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
public sealed class PolicyReport() : PolicyReportBase(KindName)
{
    public const string Group = "wgpolicyk8s.io";
    public const string Version = "v1alpha2";
    public const string KindName = "PolicyReport";
    public const string Plural = "policyreports";
    public const string ApiVersionName = Group + "/" + Version;
}

/// <summary>The cluster-scoped twin of <see cref="PolicyReport"/>: results for cluster-scoped resources and the cluster itself.</summary>
[KubernetesEntity(Group = PolicyReport.Group, ApiVersion = PolicyReport.Version, Kind = KindName, PluralName = Plural)]
public sealed class ClusterPolicyReport() : PolicyReportBase(KindName)
{
    public const string KindName = "ClusterPolicyReport";
    public const string Plural = "clusterpolicyreports";
}

/// <summary>What both report kinds hold: an optional scope, the summary and the results.</summary>
public abstract class PolicyReportBase(string kind) : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = PolicyReport.ApiVersionName;
    [JsonPropertyName("kind")] public string Kind { get; set; } = kind;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("scope")] public V1ObjectReference? Scope { get; set; }
    [JsonPropertyName("scopeSelector")] public V1LabelSelector? ScopeSelector { get; set; }
    [JsonPropertyName("summary")] public PolicyReportSummary Summary { get; set; } = new();
    [JsonPropertyName("results")] public List<PolicyReportResult> Results { get; set; } = [];
}

/// <summary>A page of namespaced reports, as a list call returns them.</summary>
public sealed class PolicyReportList : IKubernetesObject<V1ListMeta>, IItems<PolicyReport>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = PolicyReport.ApiVersionName;
    [JsonPropertyName("kind")] public string Kind { get; set; } = "PolicyReportList";
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<PolicyReport> Items { get; set; } = [];
}

/// <summary>A page of cluster reports, as a list call returns them.</summary>
public sealed class ClusterPolicyReportList : IKubernetesObject<V1ListMeta>, IItems<ClusterPolicyReport>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = PolicyReport.ApiVersionName;
    [JsonPropertyName("kind")] public string Kind { get; set; } = "ClusterPolicyReportList";
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<ClusterPolicyReport> Items { get; set; } = [];
}

/// <summary>Result counts of a report.</summary>
public sealed record PolicyReportSummary
{
    [JsonPropertyName("pass")] public int Pass { get; set; }
    [JsonPropertyName("fail")] public int Fail { get; set; }
    [JsonPropertyName("warn")] public int Warn { get; set; }
    [JsonPropertyName("error")] public int Error { get; set; }
    [JsonPropertyName("skip")] public int Skip { get; set; }
}

/// <summary>The outcome of one rule of one policy on the resources it names.</summary>
public sealed class PolicyReportResult
{
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("policy")] public string Policy { get; set; } = "";
    [JsonPropertyName("rule")] public string? Rule { get; set; }
    [JsonPropertyName("category")] public string? Category { get; set; }
    [JsonPropertyName("severity")] public PolicyReportSeverity? Severity { get; set; }
    [JsonPropertyName("timestamp")] public PolicyReportTimestamp? Timestamp { get; set; }
    [JsonPropertyName("result")] public PolicyReportOutcome? Result { get; set; }
    [JsonPropertyName("scored")] public bool? Scored { get; set; }
    [JsonPropertyName("resources")] public List<V1ObjectReference>? Resources { get; set; }
    [JsonPropertyName("resourceSelector")] public V1LabelSelector? ResourceSelector { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("properties")] public Dictionary<string, string>? Properties { get; set; }
}

/// <summary>A protobuf-style timestamp (metav1.Timestamp): seconds since the Unix epoch and nanoseconds.</summary>
public sealed record PolicyReportTimestamp
{
    [JsonPropertyName("seconds")] public long Seconds { get; set; }
    [JsonPropertyName("nanos")] public int Nanos { get; set; }
}

/// <summary>A result's outcome in the report's vocabulary.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PolicyReportOutcome>))]
public enum PolicyReportOutcome
{
    [JsonStringEnumMemberName("pass")] Pass,
    [JsonStringEnumMemberName("fail")] Fail,
    /// <summary>Not met, and the policy is not scored.</summary>
    [JsonStringEnumMemberName("warn")] Warn,
    [JsonStringEnumMemberName("error")] Error,
    /// <summary>Not selected for evaluation (for us: exempted).</summary>
    [JsonStringEnumMemberName("skip")] Skip,
}

/// <summary>A result's severity in the report's vocabulary.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PolicyReportSeverity>))]
public enum PolicyReportSeverity
{
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("low")] Low,
    [JsonStringEnumMemberName("medium")] Medium,
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("critical")] Critical,
}
